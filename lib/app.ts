import { App } from "cdktf";
import { join } from "node:path";
import type { ChatBattleConfig } from "./config/config";
import { VolumesStack } from "./stacks/volumes-stack";
import { NetworkStack } from "./stacks/network-stack";
import { KafkaStack } from "./stacks/kafka-stack";
import { CassandraStack } from "./stacks/cassandra-stack";
import { TopicsStack } from "./stacks/topics-stack";
import { SchemaStack } from "./stacks/schema-stack";
import { TOPICS } from "./topics";
import { readCqlFiles } from "./schema/cql-files";

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

  const schema = new SchemaStack(app, {
    cqlFiles: readCqlFiles(join(projectRoot, "cql")),
    cassandraContainerId: cassandra.cassandraNode.container.id,
    contactPoint: { host: config.clientHost, port: config.ports.cassandraCql },
    datacenter: config.cassandra.datacenter,
    keyspace: config.cassandra.keyspace,
    replicationFactor: config.cassandra.replicationFactor,
  });
  schema.addDependency(cassandra);

  return { volumes, network, kafka, cassandra, topics, schema };
}
