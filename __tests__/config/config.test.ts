import { describe, expect, it } from "vitest";
import { parseConfig, ConfigError } from "../../lib/config/config";
import { SETTINGS } from "../../lib/config/settings";

function problemsOf(env: Record<string, string>) {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("uses every default when nothing is set", () => {
    const config = parseConfig({});
    expect(config).toEqual({
      kafka: { mode: "zookeeper", brokers: 1 },
      target: "local",
      stateBackend: "local",
      kafkaCluster: undefined,
      cassandraClient: {
        contactPoints: undefined,
        port: undefined,
        localDatacenter: undefined,
        username: undefined,
        tls: false,
        waitSeconds: 120,
      },
      topicDurability: { replicationFactor: 1, minInsyncReplicas: undefined, partitions: undefined },
      stateLockTimeoutSeconds: 60,
      terraformDeadlineSeconds: 1800,
      bindAddress: "127.0.0.1",
      snapshotDir: "snapshots",
      clientHost: "127.0.0.1",
      images: {
        zookeeper: "confluentinc/cp-zookeeper:7.9.2",
        kafka: "confluentinc/cp-kafka:7.9.2",
        cassandra: "cassandra:4.1.11",
      },
      imageSettings: { zookeeper: "ZOOKEEPER_IMAGE", kafka: "KAFKA_IMAGE", cassandra: "CASSANDRA_IMAGE" },
      ports: {
        zookeeper: 2181,
        kafkaExternal: 9092,
        kafkaInternal: 29092,
        kafka2External: 9093,
        kafka2Internal: 29093,
        kafka3External: 9094,
        kafka3Internal: 29094,
        cassandraCql: 9042,
        cassandraInternode: 7000,
        cassandraInternodeTls: 7001,
      },
      cassandra: {
        keyspace: "twitch_chat",
        replication: { strategy: "SimpleStrategy", replicationFactor: 1 },
        datacenter: "dc1",
      },
    });
  });

  it("reads every setting", () => {
    const config = parseConfig({
      BIND_ADDRESS: "0.0.0.0",
      ZOOKEEPER_IMAGE: "registry.local:5000/zk:3.8",
      KAFKA_IMAGE: "kafka@sha256:" + "a".repeat(64),
      CASSANDRA_IMAGE: "cassandra:5.0",
      ZOOKEEPER_PORT: "12181",
      KAFKA_EXTERNAL_PORT: "19092",
      KAFKA_INTERNAL_PORT: "29093",
      CASSANDRA_CQL_PORT: "19042",
      CASSANDRA_INTERNODE_PORT: "17000",
      CASSANDRA_INTERNODE_TLS_PORT: "17001",
      CASSANDRA_KEYSPACE: "chat_dev",
      CASSANDRA_REPLICATION_FACTOR: "3",
      CASSANDRA_DATACENTER: "eu-west",
    });
    expect(config.clientHost).toBe("127.0.0.1");
    expect(config.images.zookeeper).toBe("registry.local:5000/zk:3.8");
    expect(config.ports).toEqual({
      zookeeper: 12181,
      kafkaExternal: 19092,
      kafkaInternal: 29093,
      kafka2External: 9093,
      kafka2Internal: 29093,
      kafka3External: 9094,
      kafka3Internal: 29094,
      cassandraCql: 19042,
      cassandraInternode: 17000,
      cassandraInternodeTls: 17001,
    });
    expect(config.cassandra).toEqual({
      keyspace: "chat_dev",
      replication: { strategy: "SimpleStrategy", replicationFactor: 3 },
      datacenter: "eu-west",
    });
  });

  it("runs KRaft and three brokers when asked, with the newest Confluent Platform image for KRaft unless one is named", () => {
    const kraft = parseConfig({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" });
    expect(kraft.kafka).toEqual({ mode: "kraft", brokers: 3 });
    expect(kraft.images.kafka).toBe("confluentinc/cp-kafka:8.3.0");
    expect(parseConfig({ KAFKA_MODE: "kraft", KAFKA_IMAGE: "confluentinc/cp-kafka:7.9.2" }).images.kafka).toBe(
      "confluentinc/cp-kafka:7.9.2",
    );
    // Each mode's own setting wins, so one file (.offline/env) can name an image per mode.
    const both = { KAFKA_IMAGE: "example/kafka:3.9", KAFKA_KRAFT_IMAGE: "example/kafka:4.3" };
    expect(parseConfig({ ...both, KAFKA_MODE: "kraft" }).images.kafka).toBe("example/kafka:4.3");
    expect(parseConfig({ ...both, KAFKA_MODE: "kraft" }).imageSettings.kafka).toBe("KAFKA_KRAFT_IMAGE");
    expect(parseConfig({ ...both, KAFKA_MODE: "zookeeper" }).images.kafka).toBe("example/kafka:3.9");
    expect(parseConfig({ KAFKA_KRAFT_IMAGE: "example/kafka:4.3" }).images.kafka).toBe("confluentinc/cp-kafka:7.9.2");
    expect(problemsOf({ KAFKA_MODE: "kraft", KAFKA_KRAFT_IMAGE: "example/kafka:latest" }).map((p) => p.name)).toEqual([
      "KAFKA_KRAFT_IMAGE",
    ]);
    expect(problemsOf({ KAFKA_MODE: "zk", KAFKA_BROKERS: "2" }).map((p) => `${p.name}: ${p.allowed}`)).toEqual([
      "KAFKA_MODE: must be zookeeper or kraft",
      expect.stringMatching(/^KAFKA_BROKERS: must be 1 or 3/),
    ]);
  });

  it("checks the ports of brokers 2 and 3 only when there are three, and keeps them off the controller port", () => {
    expect(parseConfig({ KAFKA_2_EXTERNAL_PORT: "9042" }).kafka.brokers).toBe(1);
    expect(problemsOf({ KAFKA_BROKERS: "3", KAFKA_2_EXTERNAL_PORT: "9042" }).map((p) => p.name)).toEqual([
      "KAFKA_2_EXTERNAL_PORT",
      "CASSANDRA_CQL_PORT",
    ]);
    expect(
      problemsOf({ KAFKA_MODE: "kraft", KAFKA_3_INTERNAL_PORT: "29999", KAFKA_BROKERS: "3" }).map(
        (p) => `${p.name}: ${p.allowed}`,
      ),
    ).toEqual([
      "KAFKA_3_INTERNAL_PORT: 29999 is the KRaft controllers' port inside the brokers' containers; choose another",
    ]);
  });

  it("allows topic replication up to the local broker count", () => {
    expect(
      parseConfig({ KAFKA_BROKERS: "3", KAFKA_TOPIC_REPLICATION_FACTOR: "3", KAFKA_MIN_INSYNC_REPLICAS: "2" })
        .topicDurability,
    ).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 2,
      partitions: undefined,
    });
    expect(problemsOf({ KAFKA_BROKERS: "1", KAFKA_TOPIC_REPLICATION_FACTOR: "3" }).map((p) => p.allowed)).toEqual([
      "must be at most KAFKA_BROKERS (1) on the local target: each replica needs a broker of its own",
    ]);
  });

  it("trims surrounding white space", () => {
    expect(parseConfig({ ZOOKEEPER_PORT: " 2182 " }).ports.zookeeper).toBe(2182);
  });

  it("reaches a specific bind address on that address, and :: on ::1", () => {
    expect(parseConfig({ BIND_ADDRESS: "192.168.1.5" }).clientHost).toBe("192.168.1.5");
    expect(parseConfig({ BIND_ADDRESS: "::" }).clientHost).toBe("::1");
  });

  it.each([
    ["ZOOKEEPER_PORT", "abc"],
    ["KAFKA_EXTERNAL_PORT", "0"],
    ["KAFKA_INTERNAL_PORT", "65536"],
    ["CASSANDRA_CQL_PORT", "-1"],
    ["CASSANDRA_INTERNODE_PORT", "70.5"],
    ["CASSANDRA_INTERNODE_TLS_PORT", "1e3"],
  ])("rejects %s=%s as a port", (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([
      { name, value, defaultValue: expect.any(String), allowed: "must be a whole number from 1 to 65535" },
    ]);
  });

  it("rejects two services on one host port, naming both", () => {
    const problems = problemsOf({ ZOOKEEPER_PORT: "9042" });
    expect(problems.map((p) => p.name)).toEqual(["ZOOKEEPER_PORT", "CASSANDRA_CQL_PORT"]);
    expect(problems[0].allowed).toContain("CASSANDRA_CQL_PORT");
    expect(problems[1].allowed).toContain("ZOOKEEPER_PORT");
    expect(problems[1].value).toBeUndefined();
  });

  it("accepts the network listener on 9092 when clients on this machine use another port", () => {
    // Inside the container each listener uses its host port's number, so only equal host ports collide.
    expect(parseConfig({ KAFKA_EXTERNAL_PORT: "19092", KAFKA_INTERNAL_PORT: "9092" }).ports).toMatchObject({
      kafkaExternal: 19092,
      kafkaInternal: 9092,
    });
  });

  it("reads per-datacenter replication, and refuses it beside a replication factor", () => {
    expect(parseConfig({ CASSANDRA_REPLICATION: "dc1:1" }).cassandra.replication).toEqual({
      strategy: "NetworkTopologyStrategy",
      perDatacenter: { dc1: 1 },
    });
    expect(problemsOf({ CASSANDRA_REPLICATION: "dc1:1", CASSANDRA_REPLICATION_FACTOR: "1" })).toMatchObject([
      {
        name: "CASSANDRA_REPLICATION",
        allowed: "is set together with CASSANDRA_REPLICATION_FACTOR; set only one of them",
      },
    ]);
  });

  it.each([
    ["", "is set but empty"],
    ["   ", "is set but empty"],
    ["cp-kafka", "pinned tag"],
    ["confluentinc/cp-kafka:latest", "not 'latest'"],
    ["Confluentinc/CP-Kafka:7.9.2", "image reference"],
    ["cp kafka:7.9.2", "image reference"],
  ])("rejects KAFKA_IMAGE=%j", (value, message) => {
    const problems = problemsOf({ KAFKA_IMAGE: value });
    expect(problems).toHaveLength(1);
    expect(problems[0].allowed).toContain(message);
  });

  it.each(["Twitch_Chat", "1chat", "chat-data", "a".repeat(49), "twitch chat"])("rejects keyspace %j", (value) => {
    expect(problemsOf({ CASSANDRA_KEYSPACE: value })[0]).toMatchObject({ name: "CASSANDRA_KEYSPACE", value });
  });

  it("accepts a 48-character keyspace", () => {
    expect(parseConfig({ CASSANDRA_KEYSPACE: "k".repeat(48) }).cassandra.keyspace).toHaveLength(48);
  });

  it.each(["0", "-1", "two", "1.5"])("rejects replication factor %j", (value) => {
    expect(problemsOf({ CASSANDRA_REPLICATION_FACTOR: value })[0]).toMatchObject({
      name: "CASSANDRA_REPLICATION_FACTOR",
      allowed: "must be a whole number of at least 1",
    });
  });

  it.each(["localhost", "300.1.1.1", "127.0.0.1:80"])("rejects BIND_ADDRESS=%j", (value) => {
    expect(problemsOf({ BIND_ADDRESS: value })[0].name).toBe("BIND_ADDRESS");
  });

  it("reports every bad value at once, in settings order, in one readable message", () => {
    const env = {
      CASSANDRA_REPLICATION_FACTOR: "0",
      BIND_ADDRESS: "nowhere",
      CASSANDRA_KEYSPACE: "Bad-Name",
      ZOOKEEPER_PORT: "abc",
      CASSANDRA_IMAGE: "",
    };
    let message = "";
    try {
      parseConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split("\n");
    expect(lines[0]).toBe("Invalid configuration (5 problems); nothing was done:");
    expect(lines.slice(1, 6)).toEqual([
      '  - BIND_ADDRESS="nowhere": must be an IPv4 or IPv6 address, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
      '  - CASSANDRA_IMAGE="": is set but empty; give it a value or remove it to use the default "cassandra:4.1.11"',
      '  - ZOOKEEPER_PORT="abc": must be a whole number from 1 to 65535',
      '  - CASSANDRA_KEYSPACE="Bad-Name": must be a CQL identifier: a lower-case letter, then up to 47 lower-case letters, digits or underscores',
      '  - CASSANDRA_REPLICATION_FACTOR="0": must be a whole number of at least 1',
    ]);
    expect(lines[6]).toContain(".env.example");
  });

  it("has a valid default for every setting", () => {
    // Those whose default is a value; a described default ("unset", "the deployed broker") is prose.
    const values = SETTINGS.filter((s) => s.documented !== "described");
    expect(() => parseConfig(Object.fromEntries(values.map((s) => [s.name, s.defaultValue])))).not.toThrow();
  });
});
