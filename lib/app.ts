import { App } from "cdktf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatBattleConfig } from "./config/config";
import { replicationSettings } from "./config/replication";
import { VolumesStack } from "./stacks/volumes-stack";
import { NetworkStack } from "./stacks/network-stack";
import { KafkaStack } from "./stacks/kafka-stack";
import { CassandraStack } from "./stacks/cassandra-stack";
import { TopicsStack } from "./stacks/topics-stack";
import { SchemaStack } from "./stacks/schema-stack";
import { TOPICS } from "./topics";
import { readCqlFiles } from "./schema/cql-files";
import type { DeployedCassandra } from "./schema/schema-settings";

export interface ChatBattleStacks {
  readonly volumes: VolumesStack;
  readonly network: NetworkStack;
  readonly kafka: KafkaStack;
  readonly cassandra: CassandraStack;
  readonly topics: TopicsStack;
  readonly schema: SchemaStack;
}

/**
 * Builds every stack into `app`. Order: volumes → network → {kafka → topics,
 * cassandra → schema}, the two branches independent of each other.
 */
export function buildStacks(app: App, config: ChatBattleConfig, projectRoot: string): ChatBattleStacks {
  const volumes = new VolumesStack(app);
  const network = new NetworkStack(app);

  const kafka = new KafkaStack(app, config);
  kafka.addDependency(volumes);
  kafka.addDependency(network);

  const cassandra = new CassandraStack(app, config);
  cassandra.addDependency(volumes);
  cassandra.addDependency(network);

  const topics = new TopicsStack(app, { bootstrapServers: kafka.broker.bootstrapServers, topics: TOPICS });
  topics.addDependency(kafka);

  const node = cassandra.cassandraNode;
  const schema = new SchemaStack(app, {
    cqlFiles: readCqlFiles(join(projectRoot, "cql")),
    cassandraContainerId: node.container.id,
    applierSettings: {
      CASSANDRA_CONTACT_POINTS: node.contactPoint,
      CASSANDRA_LOCAL_DATACENTER: node.datacenter,
      CASSANDRA_KEYSPACE: config.cassandra.keyspace,
      ...replicationSettings(config.cassandra.replication),
    },
  });
  schema.addDependency(cassandra);

  return { volumes, network, kafka, cassandra, topics, schema };
}

/**
 * Synthesizes every stack into `outdir` (cdktf's own default, cdktf.out or
 * CDKTF_OUTDIR, when not given): what `cdktf synth` runs, in this process.
 */
export function synthesizeApp(config: ChatBattleConfig, projectRoot: string, outdir?: string): void {
  const app = new App(outdir ? { outdir } : {});
  buildStacks(app, config, projectRoot);
  app.synth();
}

/** How a client on this machine reaches each service a configuration deploys. */
export interface ServiceEndpoints {
  /** host:port of ZooKeeper's client port. */
  readonly zookeeper: string;
  readonly kafkaBootstrapServers: string;
  /** Cassandra's contact point and datacenter, as the schema applier takes them. */
  readonly cassandra: DeployedCassandra;
}

/**
 * The endpoints as the constructs that run the services state them: the
 * stacks are built in memory (into a scratch folder, removed again), not
 * synthesized, and nothing here works an address out a second time.
 */
export function serviceEndpoints(config: ChatBattleConfig, projectRoot: string): ServiceEndpoints {
  const outdir = mkdtempSync(join(tmpdir(), "chatbattle-endpoints-"));
  try {
    const stacks = buildStacks(new App({ outdir }), config, projectRoot);
    return {
      zookeeper: stacks.kafka.zookeeper.hostConnectString,
      kafkaBootstrapServers: stacks.kafka.broker.bootstrapServers,
      cassandra: { contactPoint: stacks.cassandra.cassandraNode.contactPoint, datacenter: stacks.cassandra.cassandraNode.datacenter },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
