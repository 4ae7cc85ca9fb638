import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../test-support/synth";
import { TOPICS } from "../../lib/topics";
import { clusterSettings } from "../../test-support/cluster-settings";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-cluster-"));
const CA = join(dir, "ca.pem");
writeFileSync(CA, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

/** Existing clusters: SASL_SSL Kafka, Cassandra with a login and TLS, state in PostgreSQL. */
const CLUSTER = clusterSettings(CA);
const SECRETS = ["s3cret-pg", "s3cret-kafka", "s3cret-cassandra"];

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("the cluster target", () => {
  const synth = synthesize(CLUSTER);

  it("synthesizes the topics and schema stacks only, independent of each other", () => {
    expect(Object.keys(synth.manifest.stacks).sort()).toEqual(["schema", "topics"]);
    expect(synth.manifest.stacks.topics.dependencies).toEqual([]);
    expect(synth.manifest.stacks.schema.dependencies).toEqual([]);
  });

  it("declares every topic with replication 3 and min.insync.replicas 2 beside the seed's configs", () => {
    const topics = Object.values(synth.stacks.topics.resource.kafka_topic) as {
      name: string;
      replication_factor: number;
      partitions: number;
      config: Record<string, string>;
    }[];
    expect(
      topics.map((t) => [t.name, t.replication_factor, t.partitions, t.config["min.insync.replicas"]]).sort(),
    ).toEqual(TOPICS.map((t) => [t.name, 3, t.partitions, "2"]).sort());
    for (const topic of TOPICS) expect(topics.find((t) => t.name === topic.name)!.config).toMatchObject(topic.config);
  });

  it("connects the Kafka provider with TLS and SCRAM, leaving the user, password and CA to the environment", () => {
    expect(synth.stacks.topics.provider.kafka).toEqual([
      {
        bootstrap_servers: ["kafka-1.example.com:9093", "kafka-2.example.com:9093", "kafka-3.example.com:9093"],
        tls_enabled: true,
        sasl_mechanism: "scram-sha512",
        timeout: 60,
      },
    ]);
  });

  it("gives the schema step the cluster's non-secret settings, and no container to follow", () => {
    const step = synth.stacks.schema.resource.terraform_data["apply-cql"];
    const settings = {
      CASSANDRA_CONTACT_POINTS: "cassandra-1.example.com:9042,cassandra-2.example.com:9142",
      CASSANDRA_LOCAL_DATACENTER: "eu-west",
      CASSANDRA_KEYSPACE: "twitch_chat",
      CASSANDRA_REPLICATION: "eu-west:3,us-east:3",
      CASSANDRA_TLS: "true",
      CASSANDRA_TLS_CA_FILE: CA,
    };
    expect(step.provisioner[0]["local-exec"].environment).toEqual(settings);
    expect(step.triggers_replace).toEqual({ cql_checksum: expect.any(String), ...settings });
  });

  it("keeps each stack's state in PostgreSQL, a schema per stack, with no connection string", () => {
    expect(synth.stacks.topics.terraform.backend).toEqual({ pg: { schema_name: "chatbattle_topics" } });
    expect(synth.stacks.schema.terraform.backend).toEqual({ pg: { schema_name: "chatbattle_schema" } });
  });

  it("writes no secret into cdktf.out", () => {
    const outdir = mkdtempSync(join(tmpdir(), "chatbattle-cluster-out-"));
    try {
      synthesize(CLUSTER, { keepIn: outdir });
      const files = filesUnder(outdir);
      // manifest.json and each stack's cdk.tf.json at least.
      expect(files.length).toBeGreaterThanOrEqual(3);
      for (const file of files) {
        const text = readFileSync(file, "utf8");
        for (const secret of SECRETS) expect(text, file).not.toContain(secret);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("refuses to synthesize a cluster without the Cassandra it should apply the schema to", () => {
    const { CASSANDRA_CONTACT_POINTS: _points, CASSANDRA_LOCAL_DATACENTER: _dc, ...withoutCassandra } = CLUSTER;
    expect(() => synthesize(withoutCassandra)).toThrow(
      /CASSANDRA_CONTACT_POINTS.*is required with CHATBATTLE_TARGET=cluster[\s\S]*CASSANDRA_LOCAL_DATACENTER.*is required/,
    );
  });

  it("matches the snapshot (CA path masked)", () => {
    for (const name of ["topics", "schema"] as const) {
      expect(synth.texts[name].replaceAll(CA, "<ca.pem>")).toMatchSnapshot(name);
    }
  });
});

describe("the pg state backend on the local target", () => {
  it("moves every stack's state to its own schema", () => {
    const synth = synthesize({ STATE_BACKEND: "pg", PG_CONN_STR: "postgres://u:s3cret-pg@db/state" });
    for (const [name, stack] of Object.entries(synth.stacks)) {
      expect(stack.terraform.backend, name).toEqual({ pg: { schema_name: `chatbattle_${name}` } });
    }
    expect(Object.values(synth.texts).join("\n")).not.toContain("s3cret-pg");
  });
});
