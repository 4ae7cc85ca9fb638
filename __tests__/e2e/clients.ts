/**
 * The end-to-end test's own Kafka and Cassandra clients: what the stack holds
 * is checked as any client of it would see it, not through the app's code.
 */
import kafkajs, { type SASLOptions } from "kafkajs";
import cassandra from "cassandra-driver";
import { isTopicOverride } from "../../lib/adapters/kafka/kafka-admin";
import type { KafkaClientTarget } from "../../lib/topology/connections";

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

/** A broker's host:port, or a cluster with TLS and SASL, as the app's clients reach it. */
export type KafkaAccess = string | Pick<KafkaClientTarget, "brokers" | "tls" | "sasl">;

// A fresh broker creates __consumer_offsets on the first consumer group, and answers
// "coordinator not available" until then: the client retries through that.
const kafka = (access: KafkaAccess) =>
  new Kafka({
    clientId: "chatbattle-e2e",
    brokers: typeof access === "string" ? [access] : [...access.brokers],
    ssl: typeof access !== "string" && access.tls ? { ca: access.tls.ca ? [access.tls.ca] : undefined } : undefined,
    sasl: typeof access !== "string" && access.sasl ? ({ ...access.sasl } as SASLOptions) : undefined,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300 },
  });

/** A topic as the broker reports it: partitions, replication and the configs set on the topic itself. */
export interface ReportedTopic {
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Record<string, string>;
}

export async function topicsAsReported(bootstrap: KafkaAccess): Promise<Record<string, ReportedTopic>> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((n) => !n.startsWith("__"));
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    return Object.fromEntries(
      metadata.topics.map((t) => {
        const entries = configs.resources.find((r) => r.resourceName === t.name)?.configEntries ?? [];
        return [
          t.name,
          {
            partitions: t.partitions.length,
            replicationFactor: Math.min(...t.partitions.map((p) => p.replicas.length)),
            // The topic's own values, as the app compares them (see isTopicOverride).
            config: Object.fromEntries(entries.filter(isTopicOverride).map((e) => [e.configName, e.configValue])),
          },
        ];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

export async function produce(bootstrap: KafkaAccess, topic: string, value: string): Promise<void> {
  const producer = kafka(bootstrap).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: "e2e", value }] });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads `topic` from the beginning until a message with `value` arrives; false
 * after `timeoutMs`. A consumer that gives up for good fails the call with its reason.
 */
export async function consumed(
  bootstrap: KafkaAccess,
  topic: string,
  value: string,
  timeoutMs = 60_000,
): Promise<boolean> {
  const consumer = kafka(bootstrap).consumer({ groupId: `chatbattle-e2e-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // A retriable error (Kafka 4's group coordinator still loading, say) restarts the consumer.
        if (payload.restart) return;
        clearTimeout(timer);
        reject(new Error(`the consumer of ${topic} gave up: ${payload.error.message}`));
      });
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === value) {
            clearTimeout(timer);
            resolve(true);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Login and TLS for a Cassandra that asks for them. */
export interface CassandraAccess {
  readonly credentials?: { readonly username: string; readonly password: string };
  /** PEM text of the CA to trust. */
  readonly ca?: string;
}

export async function withCassandra<T>(
  contactPoint: string,
  work: (client: cassandra.Client) => Promise<T>,
  access: CassandraAccess = {},
): Promise<T> {
  const [host, port] = contactPoint.split(":");
  const client = new cassandra.Client({
    contactPoints: [host],
    localDataCenter: "dc1",
    protocolOptions: { port: Number(port) },
    credentials: access.credentials && { ...access.credentials },
    sslOptions: access.ca ? { ca: [access.ca], rejectUnauthorized: true } : undefined,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.shutdown();
  }
}

/** The keyspace's replication and the table's columns and options, as system_schema reports them. */
export async function schemaAsReported(client: cassandra.Client, keyspace: string, table: string) {
  const ks = (
    await client.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", [keyspace])
  ).first();
  const options = (
    await client.execute(
      "SELECT default_time_to_live, compaction FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
      [keyspace, table],
    )
  ).first();
  const columns = (
    await client.execute(
      "SELECT column_name, type, kind, position, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
      [keyspace, table],
    )
  ).rows
    .map((c) => ({ name: c.column_name, type: c.type, kind: c.kind, position: c.position, order: c.clustering_order }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    replication: ks?.replication as Record<string, string> | undefined,
    defaultTimeToLive: options?.default_time_to_live as number | undefined,
    compaction: options?.compaction as Record<string, string> | undefined,
    columns,
  };
}

/** Writes `count` messages to `topic` with acks=1, in batches; resolves once every one is acknowledged. */
export async function produceMany(bootstrap: KafkaAccess, topic: string, count: number, prefix: string): Promise<void> {
  const producer = kafka(bootstrap).producer();
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
        key: `k${(i + j) % 97}`,
        value: `${prefix}-${i + j}`,
      }));
      await producer.send({ topic, acks: 1, messages: batch });
    }
  } finally {
    await producer.disconnect();
  }
}

/** How many of `topic`'s partitions the broker with id `brokerId` leads, as the cluster's metadata says. */
export async function partitionsLedBy(bootstrap: KafkaAccess, topic: string, brokerId: number): Promise<number> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    return described.partitions.filter((p) => p.leader === brokerId).length;
  } finally {
    await admin.disconnect();
  }
}

/** Messages a topic holds, without reading them: end offset minus start offset, summed over its partitions. */
export async function messageCount(bootstrap: KafkaAccess, topic: string): Promise<number> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Writes `count` rows to twitch_chat.raw_chat_messages under channel `channel`, 64 at a time. */
export async function writeRows(client: cassandra.Client, channel: string, count: number): Promise<void> {
  const insert =
    "INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, message) VALUES (?, ?, uuid(), ?)";
  await cassandra.concurrent.executeConcurrent(
    client,
    insert,
    Array.from({ length: count }, (_, i) => [channel, i, `row-${i}`]),
    { concurrencyLevel: 64 },
  );
}

/** Rows of one channel in twitch_chat.raw_chat_messages. */
export async function rowCount(client: cassandra.Client, channel: string): Promise<number> {
  const result = await client.execute(
    "SELECT COUNT(*) AS n FROM twitch_chat.raw_chat_messages WHERE channel_id = ?",
    [channel],
    { prepare: true, readTimeout: 60_000 },
  );
  return Number(result.rows[0].n);
}

/** Writes `count` keyed messages to `topic`, each with the timestamp `timestampMs` (an old one, say), 1000 per request. */
export async function produceAt(
  bootstrap: KafkaAccess,
  topic: string,
  count: number,
  prefix: string,
  timestampMs: number,
): Promise<void> {
  const producer = kafka(bootstrap).producer();
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - i) }, (_, j) => ({
        key: `k${(i + j) % 97}`,
        value: `${prefix}-${i + j}`,
        timestamp: String(timestampMs),
      }));
      await producer.send({ topic, acks: -1, messages: batch });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Messages of `topic` whose timestamp is before `timestampMs`, from the offsets the broker gives for that time (ListOffsets). */
export async function messagesBefore(bootstrap: KafkaAccess, topic: string, timestampMs: number): Promise<number> {
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  try {
    const [low, at] = [
      await admin.fetchTopicOffsets(topic),
      await admin.fetchTopicOffsetsByTimestamp(topic, timestampMs),
    ];
    return at.reduce((sum, p) => {
      const partition = low.find((l) => l.partition === p.partition)!;
      // -1: no message at or after the time, so all of the partition's are before it.
      const first = Number(p.offset) < 0 ? Number(partition.high) : Number(p.offset);
      return sum + Math.max(0, first - Number(partition.low));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/** A topic's configs as set on it (retention.ms, cleanup.policy, …). */
export async function topicConfig(bootstrap: KafkaAccess, topic: string): Promise<Record<string, string>> {
  return (await topicsAsReported(bootstrap))[topic]?.config ?? {};
}

/** Rows of a table whose `column` holds a value, counted by reading them. */
export async function rowsWithValue(client: cassandra.Client, table: string, column: string): Promise<number> {
  let count = 0;
  let pageState: string | undefined;
  do {
    const page = await client.execute(`SELECT ${column} FROM ${table}`, [], {
      prepare: true,
      fetchSize: 1000,
      pageState,
    });
    count += page.rows.filter((row) => row.get(column) !== null).length;
    pageState = page.pageState ?? undefined;
  } while (pageState);
  return count;
}

/** The columns a table has, as system_schema lists them. */
export async function columnsOf(client: cassandra.Client, keyspace: string, table: string): Promise<string[]> {
  const result = await client.execute(
    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, table],
    { prepare: true },
  );
  return result.rows.map((r) => r.column_name as string).sort();
}
