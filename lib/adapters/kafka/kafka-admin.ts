/**
 * The app's one way to ask Kafka about itself (brokers, topics, their configs
 * and offsets), on @platformatic/kafka: pure TypeScript and released for the
 * app's Node line. The tests check its answers with a second client (kafkajs).
 */
import type { Connection, metadataV12 } from "@platformatic/kafka";
import { kafkaLibrary } from "./kafka-library";
import type { KafkaClientTarget } from "../../topology/connections";
import { CommandError, ServiceUnreachableError } from "../../errors";

/** Metadata's answer; v12 is the newest version the client speaks, and the older ones answer the same fields. */
type MetadataResponse = metadataV12.MetadataResponse;

export type { KafkaClientTarget } from "../../topology/connections";
/** Kafka refused the login or the certificate: retrying cannot help. */
export class KafkaRefusedError extends CommandError {
  override name = "KafkaRefusedError";
}

/** The innermost causes of a client error (it nests one AggregateError per retry and per broker), each once. */
export function rootCauses(error: unknown): { readonly code?: string; readonly message: string }[] {
  const found = new Map<string, { code?: string; message: string }>();
  const walk = (value: unknown, depth: number) => {
    if (!(value instanceof Error) || depth > 10) return;
    const nested = [
      ...((value as { errors?: unknown[] }).errors ?? []),
      ...(value.cause !== undefined ? [value.cause] : []),
    ];
    if (nested.length === 0) {
      const code = (value as { code?: string }).code;
      found.set(`${code}:${value.message}`, { code, message: value.message });
    }
    for (const inner of nested) walk(inner, depth + 1);
  };
  walk(error, 0);
  return found.size > 0 ? [...found.values()] : [{ message: error instanceof Error ? error.message : String(error) }];
}

/**
 * The error in words that name the setting to change. A refused login or
 * certificate is a {@link KafkaRefusedError}; anything else a
 * ServiceUnreachableError. The password never appears.
 */
export function explainKafkaError(target: KafkaClientTarget, error: unknown): CommandError {
  const causes = rootCauses(error);
  const hide = (text: string) => (target.sasl?.password ? text.split(target.sasl.password).join("(hidden)") : text);
  const said = hide(causes.map((c) => c.message.replace(/\.$/, "")).join("; "));
  if (causes.some((c) => /SASL|authentication failed/i.test(c.message))) {
    return new KafkaRefusedError(
      `Kafka at ${target.describe} refused the login: ${said}. Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM.`,
    );
  }
  if (
    causes.some(
      (c) =>
        /CERT|SELF_SIGNED|LEAF|ERR_TLS|ERR_SSL|EPROTO/.test(c.code ?? "") || /certificate|SSL|TLS/i.test(c.message),
    )
  ) {
    return new KafkaRefusedError(
      `Kafka at ${target.describe}: TLS failed (${said}). Check KAFKA_CA_CERT and KAFKA_SECURITY_PROTOCOL.`,
    );
  }
  return new ServiceUnreachableError(`Kafka at ${target.describe} does not answer (${said}).`);
}

/** How long a client waits to connect and for each answer, and how often it tries again. */
export interface ClientDeadlines {
  readonly connectTimeout: number;
  readonly requestTimeout: number;
  readonly retries: number;
  readonly retryDelay: number;
}

/** The options every client of the app gives @platformatic/kafka: where Kafka is, its TLS and SASL, and the deadlines. */
export function clientOptions(target: KafkaClientTarget, clientId: string, deadlines: ClientDeadlines) {
  return {
    clientId,
    bootstrapBrokers: [...target.brokers],
    tls: target.tls ? { rejectUnauthorized: true, ca: target.tls.ca } : undefined,
    sasl: target.sasl && {
      mechanism: target.sasl.mechanism.toUpperCase() as "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512",
      username: target.sasl.username,
      password: target.sasl.password,
    },
    ...deadlines,
  };
}

/** Runs a client call; its error comes out as {@link explainKafkaError} words it. */
export async function explainedCall<T>(target: KafkaClientTarget, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainKafkaError(target, error);
  }
}

/** One partition's offsets: the first message still kept (low) and the next to be written (high). */
export interface PartitionOffsets {
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/** What the commands ask of Kafka. Every call has the client's deadlines (connect 3 s, request 10 s, one retry). */
export interface KafkaAdmin {
  /** Ids of the brokers online (in the cluster's metadata). */
  brokerIds(): Promise<number[]>;
  /** Every topic, the internal ones (__consumer_offsets) too. */
  listTopics(): Promise<string[]>;
  /** Each partition's low and high offsets. */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Partitions and each topic's own configs, as the broker reports them. */
  describeTopics(names: readonly string[]): Promise<LiveTopic[]>;
  /** Per partition, the first offset whose record's timestamp is at or after `timestamp` (ms); the high offset when none is. */
  offsetsAt(topic: string, timestamp: number): Promise<PartitionOffsets[]>;
  /** Per partition, its size on disk (bytes), as its leader reports it. */
  partitionSizes(topic: string): Promise<{ partition: number; bytes: number }[]>;
  /** What each config of the topic would be without the topic's own value: the broker's, or Kafka's default. */
  configDefaults(topic: string): Promise<Record<string, string>>;
  disconnect(): Promise<void>;
}

/** ListOffsets' timestamps for "earliest" and "latest". */
const EARLIEST = -2n;
const LATEST = -1n;

/**
 * A Kafka admin client that fails fast: the operating commands report a
 * broker that does not answer, they do not wait. Connects (and logs in) at
 * once, so that a bad address, login or certificate is reported here, as what
 * {@link explainKafkaError} makes of it.
 */
export async function connectAdmin(target: KafkaClientTarget): Promise<KafkaAdmin> {
  const kafka = await kafkaLibrary();
  const { ConfigResourceTypes } = kafka;
  const client = new kafka.Admin(
    clientOptions(target, "chatbattle-ops", {
      connectTimeout: 3000,
      requestTimeout: 10000,
      retries: 1,
      retryDelay: 300,
    }),
  );
  const explained = <T>(call: () => Promise<T>) => explainedCall(target, call);
  // The client's metadata() leaves out internal topics (__consumer_offsets), whose replicas health
  // must see; so Metadata is asked the way the client's own listTopics() asks it, through the
  // extension points the package exports for that (kGetBootstrapConnection, kGetApi).
  type MetadataApi = (
    connection: Connection,
    topics: string[] | null,
    autoCreate: boolean,
    operations: boolean,
    callback: (error: Error | null, response: MetadataResponse) => void,
  ) => void;
  const metadata = (topics: string[] | null = []) =>
    explained(
      () =>
        new Promise<MetadataResponse>((resolve, reject) =>
          client[kafka.kGetBootstrapConnection]((connectionError, connection) => {
            if (connectionError || !connection)
              return reject(connectionError ?? new Error("no connection to any broker"));
            client[kafka.kGetApi]<
              Parameters<MetadataApi> extends [Connection, ...infer A] ? A : never,
              MetadataResponse
            >("Metadata", (apiError, api) => {
              if (apiError) return reject(apiError);
              (api as unknown as MetadataApi)(connection, topics, false, false, (error, response) =>
                error ? reject(error) : resolve(response),
              );
            });
          }),
        ),
    );
  try {
    await metadata();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  const admin: KafkaAdmin = {
    brokerIds: async () => (await metadata()).brokers.map((b) => b.nodeId),
    listTopics: () => explained(() => client.listTopics({ includeInternals: true })),
    topicOffsets: async (topic) => {
      const partitions = (await metadata([topic])).topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      const at = (timestamp: bigint) =>
        explained(() =>
          client.listOffsets({
            topics: [
              {
                name: topic,
                partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp })),
              },
            ],
          }),
        );
      const [low, high] = await Promise.all([at(EARLIEST), at(LATEST)]);
      const lowOf = new Map(low.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, p.offset]));
      return high
        .flatMap((t) => t.partitions)
        .map((p) => ({ partition: p.partitionIndex, low: lowOf.get(p.partitionIndex) ?? 0n, high: p.offset }));
    },
    describeTopics: async (names) => {
      if (names.length === 0) return [];
      const [cluster, configs] = await Promise.all([
        metadata([...names]),
        explained(() =>
          client.describeConfigs({
            includeSynonyms: false,
            resources: names.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name })),
          }),
        ),
      ]);
      return names.flatMap((name) => {
        const topic = cluster.topics.find((t) => t.name === name && t.errorCode === 0);
        if (!topic) return [];
        const own = configs.find((c) => c.resourceName === name)?.configs ?? [];
        return [
          {
            name,
            partitions: topic.partitions
              .map((p) => ({
                partition: p.partitionIndex,
                leader: p.leaderId,
                replicas: p.replicaNodes,
                isr: p.isrNodes,
                offlineReplicas: p.offlineReplicas ?? [],
              }))
              .sort((a, b) => a.partition - b.partition),
            overrides: Object.fromEntries(own.filter(isTopicOverride).map((c) => [c.name, c.value ?? ""])),
          },
        ];
      });
    },
    offsetsAt: async (topic, timestamp) => {
      const partitions = (await metadata([topic])).topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      const ask = (at: bigint) =>
        explained(() =>
          client.listOffsets({
            topics: [
              {
                name: topic,
                partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: at })),
              },
            ],
          }),
        );
      const [found, low, high] = await Promise.all([ask(BigInt(timestamp)), ask(EARLIEST), ask(LATEST)]);
      const of = (listed: typeof found) =>
        new Map(listed.flatMap((t) => t.partitions).map((p) => [p.partitionIndex, p.offset]));
      const [at, lows, highs] = [of(found), of(low), of(high)];
      // -1: no record at or after the timestamp, so every record is older.
      return [...highs.keys()]
        .sort((a, b) => a - b)
        .map((p) => ({ partition: p, low: lows.get(p) ?? 0n, high: at.get(p)! < 0n ? highs.get(p)! : at.get(p)! }));
    },
    partitionSizes: async (topic) => {
      const described = (await metadata([topic])).topics.find((t) => t.name === topic);
      if (!described) return [];
      const dirs = await explained(() =>
        client.describeLogDirs({
          topics: [{ name: topic, partitions: described.partitions.map((p) => p.partitionIndex) }],
        }),
      );
      // Each replica reports its own copy; a partition's size is its leader's.
      const leaderOf = new Map(described.partitions.map((p) => [p.partitionIndex, p.leaderId]));
      const sizes = new Map<number, number>();
      for (const broker of dirs) {
        for (const result of broker.results) {
          for (const t of result.topics.filter((t) => t.name === topic)) {
            for (const p of t.partitions)
              if (leaderOf.get(p.partitionIndex) === broker.broker || !sizes.has(p.partitionIndex))
                sizes.set(p.partitionIndex, Number(p.partitionSize));
          }
        }
      }
      return [...sizes].sort(([a], [b]) => a - b).map(([partition, bytes]) => ({ partition, bytes }));
    },
    configDefaults: async (topic) => {
      const [described] = await explained(() =>
        client.describeConfigs({
          includeSynonyms: true,
          resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
        }),
      );
      // A config's synonyms run from the most specific value to Kafka's own default; the first that is not the
      // topic's is what it falls back to, in the synonym's unit (log.retention.hours is in hours, retention.ms in ms).
      return Object.fromEntries(
        (described?.configs ?? []).flatMap((c) => {
          const fallback = c.synonyms.find((s) => s.source !== TOPIC_CONFIG_SOURCE && s.value != null);
          if (fallback) return [[c.name, inUnitOf(c.name, fallback.name, fallback.value!)]];
          return c.configSource !== TOPIC_CONFIG_SOURCE && c.value != null ? [[c.name, c.value]] : [];
        }),
      );
    },
    disconnect: () => client.close(),
  };
  return admin;
}

/** A broker setting's value in the unit of the topic config it stands for: log.retention.hours=168 for retention.ms is 604800000. */
export function inUnitOf(config: string, synonym: string, value: string): string {
  if (!config.endsWith(".ms") || !/^-?\d+$/.test(value) || value.startsWith("-")) return value;
  const factor = synonym.endsWith(".hours") ? 3_600_000 : synonym.endsWith(".minutes") ? 60_000 : 1;
  return String(BigInt(value) * BigInt(factor));
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
export function isTopicOverride(entry: { isDefault?: boolean; configSource?: number }): boolean {
  return entry.configSource === undefined ? !entry.isDefault : entry.configSource === TOPIC_CONFIG_SOURCE;
}

export interface LiveTopic {
  readonly name: string;
  readonly partitions: readonly {
    partition: number;
    leader: number;
    replicas: number[];
    isr: number[];
    offlineReplicas: number[];
  }[];
  /** Topic configs that are not the broker's defaults. */
  readonly overrides: Readonly<Record<string, string>>;
}
