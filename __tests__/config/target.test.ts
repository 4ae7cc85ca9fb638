import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../../lib/config/config";
import { ClusterRuntime, localStackOnly } from "../../lib/runtime/cluster-runtime";
import { PROJECT_ROOT } from "../../test-support/synth";
import { runNpmScript } from "../../test-support/project";

// Only its existence is checked here.
const CA = join(mkdtempSync(join(tmpdir(), "chatbattle-ca-")), "ca.pem");
writeFileSync(CA, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

/** A cluster target with SASL_SSL and SCRAM, as a team would set it. */
const CLUSTER = {
  CHATBATTLE_TARGET: "cluster",
  KAFKA_BOOTSTRAP_SERVERS: "kafka-1.example.com:9093,kafka-2.example.com:9093",
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
  KAFKA_SASL_USERNAME: "pipeline",
  KAFKA_SASL_PASSWORD: "s3cret-kafka",
  KAFKA_CA_CERT: CA,
  CASSANDRA_CONTACT_POINTS: "cassandra-1.example.com,cassandra-2.example.com",
  CASSANDRA_LOCAL_DATACENTER: "dc1",
};

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.name}: ${p.allowed}`);
    throw error;
  }
  return [];
}

describe("the target settings", () => {
  it("reads a SASL_SSL cluster with the cluster's durability defaults", () => {
    const config = parseConfig(CLUSTER);
    expect(config.target).toBe("cluster");
    expect(config.kafkaCluster).toEqual({
      bootstrapServers: ["kafka-1.example.com:9093", "kafka-2.example.com:9093"],
      securityProtocol: "SASL_SSL",
      saslMechanism: "SCRAM-SHA-512",
      caFile: CA,
    });
    expect(config.topicDurability).toEqual({ replicationFactor: 3, minInsyncReplicas: 2, partitions: undefined });
  });

  it("holds no secret in the configuration", () => {
    expect(JSON.stringify(parseConfig(CLUSTER))).not.toContain("s3cret-kafka");
  });

  it("takes replication, min.insync.replicas and partitions when set; min.insync.replicas never above replication", () => {
    const config = parseConfig({
      ...CLUSTER,
      KAFKA_TOPIC_REPLICATION_FACTOR: "5",
      KAFKA_MIN_INSYNC_REPLICAS: "3",
      KAFKA_TOPIC_PARTITIONS: "12",
    });
    expect(config.topicDurability).toEqual({ replicationFactor: 5, minInsyncReplicas: 3, partitions: 12 });
    expect(parseConfig({ ...CLUSTER, KAFKA_TOPIC_REPLICATION_FACTOR: "1" }).topicDurability.minInsyncReplicas).toBe(1);
    expect(problems({ ...CLUSTER, KAFKA_TOPIC_REPLICATION_FACTOR: "2", KAFKA_MIN_INSYNC_REPLICAS: "3" })).toEqual([
      "KAFKA_MIN_INSYNC_REPLICAS: must be at most the replication factor (2), or no write with acks=all could succeed",
    ]);
  });

  it("requires the bootstrap servers, SASL's mechanism, user and password, and Cassandra's nodes on a cluster", () => {
    expect(problems({ CHATBATTLE_TARGET: "cluster", KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT" })).toEqual([
      expect.stringMatching(/^KAFKA_BOOTSTRAP_SERVERS: is required with CHATBATTLE_TARGET=cluster/),
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT/),
      expect.stringMatching(/^KAFKA_SASL_USERNAME: is required/),
      expect.stringMatching(/^KAFKA_SASL_PASSWORD: is required/),
      expect.stringMatching(/^CASSANDRA_CONTACT_POINTS: is required with CHATBATTLE_TARGET=cluster/),
      expect.stringMatching(/^CASSANDRA_LOCAL_DATACENTER: is required with CHATBATTLE_TARGET=cluster/),
    ]);
  });

  it("refuses bad values, naming what is allowed", () => {
    expect(
      problems({
        ...CLUSTER,
        KAFKA_BOOTSTRAP_SERVERS: "kafka-1.example.com",
        KAFKA_SECURITY_PROTOCOL: "TLS",
        CHATBATTLE_TARGET: "cluster",
      }),
    ).toEqual([
      "KAFKA_BOOTSTRAP_SERVERS: must be a comma-separated list of host:port, e.g. kafka-1.example.com:9093,10.0.0.2:9093",
      // Which SASL and TLS settings belong depends on the protocol: checked once it is known.
      "KAFKA_SECURITY_PROTOCOL: must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
    ]);
    expect(problems({ ...CLUSTER, KAFKA_SECURITY_PROTOCOL: "SSL" })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: is set but KAFKA_SECURITY_PROTOCOL=SSL uses no SASL/),
      expect.stringMatching(/^KAFKA_SASL_USERNAME: is set but/),
      expect.stringMatching(/^KAFKA_SASL_PASSWORD: is set but/),
    ]);
    expect(problems({ ...CLUSTER, KAFKA_SASL_MECHANISM: "GSSAPI" })).toEqual([
      "KAFKA_SASL_MECHANISM: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
    ]);
    expect(problems({ ...CLUSTER, KAFKA_CA_CERT: "/nowhere/ca.pem" })).toEqual([
      "KAFKA_CA_CERT: must be the path of an existing PEM file",
    ]);
    expect(problems({ CHATBATTLE_TARGET: "laptop" })).toEqual(["CHATBATTLE_TARGET: must be local or cluster"]);
  });

  it("never shows the SASL password, not even a misplaced one", () => {
    try {
      parseConfig({ KAFKA_SASL_PASSWORD: "s3cret-kafka" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('KAFKA_SASL_PASSWORD="(hidden)"');
      expect((error as Error).message).not.toContain("s3cret-kafka");
    }
  });

  it("keeps the local target as it was: one broker, PLAINTEXT, no cluster settings", () => {
    expect(problems({ KAFKA_TOPIC_REPLICATION_FACTOR: "3" })).toEqual([
      "KAFKA_TOPIC_REPLICATION_FACTOR: must be at most KAFKA_BROKERS (1) on the local target: each replica needs a broker of its own",
    ]);
    expect(problems({ KAFKA_BOOTSTRAP_SERVERS: "kafka:9092", KAFKA_SECURITY_PROTOCOL: "SSL" })).toEqual([
      expect.stringMatching(/^KAFKA_BOOTSTRAP_SERVERS: is for CHATBATTLE_TARGET=cluster/),
      "KAFKA_SECURITY_PROTOCOL: must be PLAINTEXT on the local target: the local broker has no TLS or SASL",
    ]);
    expect(parseConfig({ KAFKA_MIN_INSYNC_REPLICAS: "1" }).topicDurability).toEqual({
      replicationFactor: 1,
      minInsyncReplicas: 1,
      partitions: undefined,
    });
  });

  it("gives the topics of more than one local broker what the internal topics get, unless the replication is set", () => {
    const durability = (env: Record<string, string>) => parseConfig({ KAFKA_MODE: "kraft", ...env }).topicDurability;
    expect(durability({ KAFKA_BROKERS: "1" })).toEqual({
      replicationFactor: 1,
      minInsyncReplicas: undefined,
      partitions: undefined,
    });
    expect(durability({ KAFKA_BROKERS: "3" })).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 2,
      partitions: undefined,
    });
    // Set by the user: their replication, and the broker's own min.insync.replicas unless that is set too.
    expect(durability({ KAFKA_BROKERS: "3", KAFKA_TOPIC_REPLICATION_FACTOR: "1" })).toEqual({
      replicationFactor: 1,
      minInsyncReplicas: undefined,
      partitions: undefined,
    });
    expect(durability({ KAFKA_BROKERS: "3", KAFKA_MIN_INSYNC_REPLICAS: "1" })).toEqual({
      replicationFactor: 3,
      minInsyncReplicas: 1,
      partitions: undefined,
    });
  });

  it("needs PG_CONN_STR for the pg backend and a whole number of seconds for the lock wait", () => {
    expect(problems({ STATE_BACKEND: "pg" })).toEqual([
      expect.stringMatching(/^PG_CONN_STR: is required with STATE_BACKEND=pg/),
    ]);
    expect(parseConfig({ STATE_BACKEND: "pg", PG_CONN_STR: "postgres://u:p@db/state" }).stateBackend).toBe("pg");
    expect(problems({ STATE_BACKEND: "s3" })).toEqual(["STATE_BACKEND: must be local or pg"]);
    expect(problems({ STATE_LOCK_TIMEOUT: "soon" })).toEqual([
      "STATE_LOCK_TIMEOUT: must be a whole number of seconds from 0 to 3600",
    ]);
  });
});

describe("the local-only commands on a cluster", () => {
  it("refuse with one line that says why and what applies instead (exit 2)", () => {
    const refusal = localStackOnly("npm run stop");
    expect(refusal.message).toMatch(
      /^npm run stop acts on the local Docker stack, and CHATBATTLE_TARGET=cluster deploys none\. On a cluster, npm run deploy, plan, preflight, health, topics and schema:verify apply/,
    );
    expect(refusal.exitCode).toBe(2);
  });

  it("the cluster's runtime finds nothing of the project, and refuses once, in those words, what needs a container", async () => {
    const runtime = new ClusterRuntime();
    expect(await runtime.projectObjects()).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await runtime.absentImages(["cassandra:4.1"])).toEqual([]);
    await expect(runtime.exec("chatbattle-cassandra", ["nodetool", "drain"], { deadlineSeconds: 1 })).rejects.toThrow(
      /^running a command in a container acts on the local Docker stack, and CHATBATTLE_TARGET=cluster deploys none/,
    );
    await expect(
      runtime.streamLogs("chatbattle-kafka", { tail: "all", follow: false }, () => undefined),
    ).rejects.toThrow(/^npm run logs acts on the local Docker stack/);
  });

  it.each([["stop"], ["reset"], ["logs"], ["snapshot", "list"], ["migrate"]])(
    "npm run %s exits 2 on a cluster, touching nothing",
    (script, ...args) => {
      const run = runNpmScript(PROJECT_ROOT, script, { CHATBATTLE_TARGET: "cluster" }, args);
      expect(run.status, run.output).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`npm run ${script} acts on the local Docker stack`));
    },
  );
});
