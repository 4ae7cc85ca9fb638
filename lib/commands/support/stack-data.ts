/**
 * The running local stack's Kafka and Cassandra, opened for reading and
 * writing their data: what `npm run snapshot` and `npm run migrate` work on.
 */
import type { ChatBattleConfig } from "../../config/config";
import { requireDeployed } from "../../checks/health";
import { connectRecords, type KafkaRecords } from "../../adapters/kafka/kafka-records";
import { connectWhenReady, type CqlSession } from "../../adapters/cassandra/connect";
import { cassandraConnection, kafkaClientTarget } from "../../topology/connections";
import { topicDefinitions } from "../../topics";
import { ServiceUnreachableError } from "../../errors";
import type { Manifest } from "../../snapshots/format";
import type { ServiceRuntime } from "../../runtime/service-runtime";

/** How long the data commands wait for Cassandra to take CQL: the stack is running, so not long. */
const CASSANDRA_WAIT_SECONDS = 30;

export interface StackData {
  readonly kafka: KafkaRecords;
  readonly cassandra: CqlSession;
  readonly keyspace: string;
  readonly topics: readonly string[];
  /** The settings a snapshot's manifest records. */
  readonly settings: Manifest["settings"];
  close(): Promise<void>;
}

export async function openStackData(
  config: ChatBattleConfig,
  env: Readonly<Record<string, string | undefined>>,
  runtime: ServiceRuntime,
  say: (line: string) => void,
): Promise<StackData> {
  await requireDeployed(runtime);
  const kafka = await connectRecords(kafkaClientTarget(config, env)).catch((error: unknown) => {
    throw error instanceof ServiceUnreachableError
      ? new ServiceUnreachableError(`${error.message} Is the stack healthy? npm run health`)
      : error;
  });
  let cassandra: CqlSession;
  try {
    const settings = cassandraConnection(config, env);
    cassandra = await connectWhenReady(
      { ...settings, waitSeconds: CASSANDRA_WAIT_SECONDS },
      { log: say, readTimeoutMs: 120_000 },
    );
  } catch (error) {
    await kafka.close();
    throw error;
  }
  return {
    kafka,
    cassandra,
    keyspace: config.cassandra.keyspace,
    topics: topicDefinitions(config).map((t) => t.name),
    settings: {
      kafkaMode: config.kafka.mode,
      kafkaBrokers: config.kafka.brokers,
      kafkaImage: config.images.kafka,
      cassandraImage: config.images.cassandra,
      keyspace: config.cassandra.keyspace,
    },
    close: async () => {
      await Promise.allSettled([kafka.close(), cassandra.shutdown()]);
    },
  };
}
