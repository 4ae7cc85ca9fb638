import { describe, expect, it } from "vitest";
import { cassandraConnection, describeConnection } from "../../lib/topology/connections";
import { ConfigError, parseConfig } from "../../lib/config/config";

type Env = Record<string, string>;

/** The connection and the schema's keyspace and replication, as the app's clients get them. */
const connectionOf = (env: Env) => {
  const config = parseConfig(env);
  return { ...cassandraConnection(config, env), ...config.cassandra };
};

const errorOf = (env: Env) => {
  try {
    connectionOf(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("cassandraConnection, from the settings parseConfig read", () => {
  it("defaults to the locally deployed node", () => {
    expect(connectionOf({})).toEqual({
      contactPoints: ["127.0.0.1:9042"],
      port: 9042,
      localDatacenter: "dc1",
      keyspace: "twitch_chat",
      replication: { strategy: "SimpleStrategy", replicationFactor: 1 },
      datacenter: "dc1",
      credentials: undefined,
      tls: false,
      waitSeconds: 120,
    });
  });

  it("follows the app's settings for port, datacenter, keyspace and replication factor", () => {
    const s = connectionOf({
      CASSANDRA_CQL_PORT: "19042",
      CASSANDRA_DATACENTER: "eu",
      CASSANDRA_KEYSPACE: "k",
      CASSANDRA_REPLICATION_FACTOR: "3",
    });
    expect(s).toMatchObject({
      contactPoints: ["127.0.0.1:19042"],
      localDatacenter: "eu",
      keyspace: "k",
      replication: { replicationFactor: 3 },
    });
  });

  it("falls back to the deployed node, where the topology places it, only when the contact points or the datacenter are not given", () => {
    expect(connectionOf({ CASSANDRA_CQL_PORT: "9142" })).toMatchObject({
      contactPoints: ["127.0.0.1:9142"],
      localDatacenter: "dc1",
    });
    expect(connectionOf({ CASSANDRA_CONTACT_POINTS: "10.0.0.1", CASSANDRA_LOCAL_DATACENTER: "eu" })).toMatchObject({
      contactPoints: ["10.0.0.1"],
      localDatacenter: "eu",
    });
  });

  it("treats a setting set but empty as a mistake, as the app does, rather than as the default", () => {
    for (const name of [
      "CASSANDRA_CONTACT_POINTS",
      "CASSANDRA_LOCAL_DATACENTER",
      "CASSANDRA_REPLICATION",
      "SCHEMA_WAIT_SECONDS",
      "CASSANDRA_TLS",
    ]) {
      const error = errorOf({ [name]: " " });
      expect(error.problems.map((p) => [p.name, p.allowed.slice(0, 17)])).toEqual([[name, "is set but empty;"]]);
    }
  });

  it("takes a real cluster's connection settings", () => {
    const s = connectionOf({
      CASSANDRA_CONTACT_POINTS: "10.0.0.1, 10.0.0.2:9043,[::1]:9044",
      CASSANDRA_PORT: "9142",
      CASSANDRA_LOCAL_DATACENTER: "eu-west",
      CASSANDRA_USERNAME: "admin",
      CASSANDRA_PASSWORD: "s3cret",
      CASSANDRA_TLS: "true",
      CASSANDRA_REPLICATION: "eu-west:3,us-east:2",
    });
    expect(s).toMatchObject({
      contactPoints: ["10.0.0.1", "10.0.0.2:9043", "[::1]:9044"],
      port: 9142,
      localDatacenter: "eu-west",
      credentials: { username: "admin", password: "s3cret" },
      tls: { caFile: undefined },
      replication: { strategy: "NetworkTopologyStrategy", perDatacenter: { "eu-west": 3, "us-east": 2 } },
    });
    expect(describeConnection(s)).not.toContain("s3cret");
  });

  it.each([
    [{ CASSANDRA_REPLICATION: "dc1" }, "CASSANDRA_REPLICATION"],
    [{ CASSANDRA_REPLICATION: "dc1:0" }, "CASSANDRA_REPLICATION"],
    [{ CASSANDRA_REPLICATION: "dc1:1,dc1:2" }, "CASSANDRA_REPLICATION"],
    [{ CASSANDRA_REPLICATION: "dc1:3", CASSANDRA_REPLICATION_FACTOR: "1" }, "CASSANDRA_REPLICATION"],
    [{ CASSANDRA_PORT: "x" }, "CASSANDRA_PORT"],
    [{ CASSANDRA_CONTACT_POINTS: "a b" }, "CASSANDRA_CONTACT_POINTS"],
    [{ CASSANDRA_TLS: "yes" }, "CASSANDRA_TLS"],
    [{ CASSANDRA_TLS: "true", CASSANDRA_TLS_CA_FILE: "/nonexistent/ca.pem" }, "CASSANDRA_TLS_CA_FILE"],
    [{ CASSANDRA_USERNAME: "admin" }, "CASSANDRA_USERNAME"],
    [{ SCHEMA_WAIT_SECONDS: "0" }, "SCHEMA_WAIT_SECONDS"],
    [{ CASSANDRA_KEYSPACE: "Bad" }, "CASSANDRA_KEYSPACE"],
  ])("rejects %j", (env, name) => {
    expect(errorOf(env).problems.map((p) => p.name)).toEqual([name]);
  });

  it("never shows a password, not even a stray one", () => {
    const error = errorOf({ CASSANDRA_PASSWORD: "hunter2" });
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain("CASSANDRA_PASSWORD");
    expect(error.message).toContain("nothing was done");
  });
});
