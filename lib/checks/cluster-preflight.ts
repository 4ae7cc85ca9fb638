import type { ChatBattleConfig } from "../config/config";
import { cassandraConnection, describeConnection } from "../topology/connections";
import { connectWhenReady, describeDriverError } from "../adapters/cassandra/connect";
import { CommandError } from "../errors";
import { connectAdmin } from "../adapters/kafka/kafka-admin";
import { kafkaClientTarget } from "../topology/connections";
import type { CheckResult } from "./check-result";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Kafka answers with these settings, accepts the login, and has at least as
 * many brokers online as each topic needs replicas: a replication factor
 * above the broker count is refused here, before anything is applied.
 */
export async function checkKafkaCluster(config: ChatBattleConfig, env: Env): Promise<CheckResult[]> {
  const target = kafkaClientTarget(config, env);
  let admin;
  try {
    admin = await connectAdmin(target);
    const brokers = (await admin.brokerIds()).sort((a, b) => a - b);
    const factor = config.topicDurability.replicationFactor;
    return [
      { check: "Kafka", ok: true, detail: `${target.describe}: login accepted` },
      brokers.length >= factor
        ? {
            check: "Kafka brokers",
            ok: true,
            detail: `${brokers.length} online (ids ${brokers.join(", ")}); replication factor ${factor} fits`,
          }
        : {
            check: "Kafka brokers",
            ok: false,
            detail:
              `replication factor ${factor} needs at least ${factor} brokers, but ${brokers.length} ${brokers.length === 1 ? "is" : "are"} online (ids ${brokers.join(", ")}); ` +
              "bring the others back, or lower KAFKA_TOPIC_REPLICATION_FACTOR",
          },
    ];
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return [{ check: "Kafka", ok: false, detail: error.message }];
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }
}

/** Cassandra accepts CQL with the applier's settings, credentials and TLS included, within a few seconds. */
export async function checkCassandraCluster(config: ChatBattleConfig, env: Env): Promise<CheckResult> {
  const settings = { ...cassandraConnection(config, env), waitSeconds: 10 };
  let client;
  try {
    client = await connectWhenReady(settings, { log: () => undefined, readTimeoutMs: 5000 });
    return { check: "Cassandra", ok: true, detail: `${describeConnection(settings)}: CQL answers` };
  } catch (error) {
    return {
      check: "Cassandra",
      ok: false,
      detail: error instanceof CommandError ? error.message : describeDriverError(error),
    };
  } finally {
    await client?.shutdown();
  }
}
