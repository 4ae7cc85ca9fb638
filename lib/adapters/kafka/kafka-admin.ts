import kafkajs, { type Admin, type SASLOptions } from "kafkajs";
import { readFileSync } from "node:fs";
import type { ChatBattleConfig } from "../../config/config";
import { usesTls } from "../../config/target";
import { CommandError, ServiceUnreachableError } from "../../errors";

// kafkajs is CommonJS: take its values from the default export.
const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

type Env = Readonly<Record<string, string | undefined>>;

/** How an operating command reaches Kafka: the local broker, or a cluster with its TLS and SASL. */
export interface KafkaClientTarget {
  readonly brokers: readonly string[];
  /** TLS, trusting the CA in this PEM text (undefined: the system's CAs). */
  readonly tls?: { readonly ca?: string };
  readonly sasl?: { readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; readonly username: string; readonly password: string };
  /** For messages: the mechanism and user, never the password. */
  readonly describe: string;
}

/**
 * The Kafka the configuration points at. On a cluster, the SASL user and
 * password are read here from the environment, where they live (the config
 * holds no secret). `localBootstrap`, the deployed brokers' addresses, is
 * asked only on the local target, and needed only there.
 */
export function kafkaClientTarget(config: ChatBattleConfig, env: Env, localBootstrap?: () => readonly string[]): KafkaClientTarget {
  const cluster = config.kafkaCluster;
  if (!cluster) {
    if (!localBootstrap) throw new Error("kafkaClientTarget: the local target needs the deployed brokers' addresses");
    const brokers = localBootstrap();
    return { brokers, describe: brokers.join(",") };
  }
  const tls = usesTls(cluster.securityProtocol);
  const mechanism = cluster.saslMechanism?.toLowerCase() as NonNullable<KafkaClientTarget["sasl"]>["mechanism"] | undefined;
  const sasl = mechanism ? { mechanism, username: env.KAFKA_SASL_USERNAME!.trim(), password: env.KAFKA_SASL_PASSWORD! } : undefined;
  return {
    brokers: cluster.bootstrapServers,
    tls: tls ? { ca: cluster.caFile && readFileSync(cluster.caFile, "utf8") } : undefined,
    sasl,
    describe: `${cluster.bootstrapServers.join(",")} (${cluster.securityProtocol}${sasl ? `, ${cluster.saslMechanism} as ${sasl.username}` : ""})`,
  };
}

/** Kafka refused the login or the certificate: retrying cannot help. */
export class KafkaRefusedError extends CommandError {
  override name = "KafkaRefusedError";
}

/**
 * The error in words that name the setting to change. A refused login or
 * certificate is a {@link KafkaRefusedError}; anything else a
 * ServiceUnreachableError. The password never appears.
 */
export function explainKafkaError(target: KafkaClientTarget, error: unknown): CommandError {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  if (name === "KafkaJSSASLAuthenticationError" || /SASL .*authentication failed/i.test(message)) {
    return new KafkaRefusedError(
      `Kafka at ${target.describe} refused the login: ${message.replace(target.sasl?.password ?? "\0", "(hidden)")}. ` +
        "Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM.",
    );
  }
  if (/certificate|self.signed|SSL|TLS|EPROTO/i.test(message)) {
    return new KafkaRefusedError(`Kafka at ${target.describe}: TLS failed (${message}). Check KAFKA_CA_CERT and KAFKA_SECURITY_PROTOCOL.`);
  }
  return new ServiceUnreachableError(`Kafka at ${target.describe} does not answer (${message}).`);
}

/**
 * A Kafka admin client that fails fast: the operating commands report a
 * broker that does not answer, they do not wait. Throws what
 * {@link explainKafkaError} makes of a failure.
 */
export async function connectAdmin(target: KafkaClientTarget): Promise<Admin> {
  const kafka = new Kafka({
    clientId: "chatbattle-ops",
    brokers: [...target.brokers],
    ssl: target.tls ? { rejectUnauthorized: true, ca: target.tls.ca ? [target.tls.ca] : undefined } : undefined,
    sasl: target.sasl as SASLOptions | undefined,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    authenticationTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 1, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw explainKafkaError(target, error);
  }
  return admin;
}

/** DescribeConfigs' source of a value set on the topic itself (TOPIC_CONFIG). */
const TOPIC_CONFIG_SOURCE = 1;

/**
 * Whether a config entry was set on the topic. Not "not the default": Kafka
 * 4 reports min.insync.replicas as a cluster-wide dynamic default (source 3)
 * on every topic, and a broker's server.properties shows the same way; only
 * the topic's own values are the declaration's to compare. Brokers too old
 * to say a source fall back to isDefault.
 */
export function isTopicOverride(entry: { isDefault: boolean; configSource?: number }): boolean {
  return entry.configSource === undefined ? !entry.isDefault : entry.configSource === TOPIC_CONFIG_SOURCE;
}

export interface LiveTopic {
  readonly name: string;
  readonly partitions: readonly { partition: number; leader: number; replicas: number[]; isr: number[]; offlineReplicas: number[] }[];
  /** Topic configs that are not the broker's defaults. */
  readonly overrides: Readonly<Record<string, string>>;
}

/** Partitions and non-default configs of the named topics, as the broker reports them. */
export async function describeTopics(admin: Admin, names: readonly string[]): Promise<LiveTopic[]> {
  if (names.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: [...names] });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return metadata.topics.map((topic) => {
    const resource = configs.resources.find((r) => r.resourceName === topic.name);
    const overrides = Object.fromEntries(
      (resource?.configEntries ?? []).filter(isTopicOverride).map((e) => [e.configName, e.configValue]),
    );
    return {
      name: topic.name,
      partitions: topic.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas ?? [] }))
        .sort((a, b) => a.partition - b.partition),
      overrides,
    };
  });
}
