/**
 * What a stack holds, read with the test's own clients (kafkajs and the
 * DataStax driver), in a form two stacks can be compared by: every record
 * of a topic (partition, key, value, headers, timestamp, in partition
 * order, offsets left out), each consumer group's next record on each
 * partition, and every row of raw_chat_messages with its write times and
 * expiry. Offsets are not compared: a restore writes the records afresh.
 */
import kafkajs from "kafkajs";
import cassandra from "cassandra-driver";
import { createHash } from "node:crypto";
import { expect } from "vitest";

const { Kafka, logLevel } = kafkajs;

export interface RecordIdentity {
  readonly partition: number;
  readonly timestamp: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: string;
}

export interface DataIdentity {
  /** topic → its records, partition by partition. */
  readonly records: Record<string, RecordIdentity[]>;
  /** "group topic/partition" → the record the group reads next, or "end" when it has read them all. */
  readonly nextRecords: Record<string, RecordIdentity | "end">;
  /** Rows (values and write times), sorted, each with its expiry (epoch seconds; null: no TTL). */
  readonly rows: readonly { readonly row: string; readonly expiry: number | null }[];
}

const text = (buffer: Buffer | null | undefined) => (buffer == null ? null : buffer.toString("base64"));

/** Every record of the topics, in partition and offset order, with the offsets they have here. */
async function readTopics(
  brokers: readonly string[],
  topics: readonly string[],
): Promise<Map<string, (RecordIdentity & { offset: bigint })[]>> {
  const kafka = new Kafka({
    clientId: "chatbattle-e2e-identity",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  await admin.connect();
  // Each partition that holds records, with its high offset: the consumer reads until it reaches each.
  const ends = new Map<string, Map<number, bigint>>();
  for (const topic of topics) {
    ends.set(
      topic,
      new Map(
        (await admin.fetchTopicOffsets(topic))
          .filter((o) => BigInt(o.high) > BigInt(o.low))
          .map((o) => [o.partition, BigInt(o.high)]),
      ),
    );
  }
  await admin.disconnect();
  const found = new Map(topics.map((t) => [t, [] as (RecordIdentity & { offset: bigint })[]]));
  const last = new Map<string, bigint>();
  const remaining = () =>
    [...ends].some(([topic, partitions]) =>
      [...partitions].some(([p, high]) => (last.get(`${topic}/${p}`) ?? -1n) + 1n < high),
    );
  if (remaining()) {
    const consumer = kafka.consumer({ groupId: `chatbattle-e2e-identity-${process.pid}-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("reading every record took over 120 s")), 120_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          found.get(topic)!.push({
            partition,
            offset: BigInt(message.offset),
            timestamp: message.timestamp,
            key: text(message.key),
            value: text(message.value),
            headers: JSON.stringify(Object.entries(message.headers ?? {}).map(([k, v]) => [k, text(v as Buffer)])),
          });
          last.set(`${topic}/${partition}`, BigInt(message.offset));
          if (!remaining()) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
  }
  for (const list of found.values()) list.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1));
  return found;
}

export async function dataIdentity(
  brokers: readonly string[],
  cqlContactPoint: string,
  groups: readonly string[],
): Promise<DataIdentity> {
  const topics = ["twitch-chat-messages", "channel-stats"];
  const read = await readTopics(brokers, topics);
  const kafka = new Kafka({ clientId: "chatbattle-e2e-identity", brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const nextRecords: Record<string, RecordIdentity | "end"> = {};
  for (const group of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
      for (const { partition, offset } of partitions) {
        if (offset === "-1") continue;
        const next = read.get(topic)!.find((r) => r.partition === partition && r.offset >= BigInt(offset));
        nextRecords[`${group} ${topic}/${partition}`] = next ? withoutOffset(next) : "end";
      }
    }
  }
  await admin.disconnect();

  const client = new cassandra.Client({
    contactPoints: [cqlContactPoint],
    localDataCenter: "dc1",
    socketOptions: { readTimeout: 60_000 },
  });
  await client.connect();
  const rows: { row: string; expiry: number | null }[] = [];
  try {
    const query =
      "SELECT channel_id, timestamp, message_id, user_id, username, message, emotes, WRITETIME(user_id) AS w1, WRITETIME(username) AS w2, WRITETIME(message) AS w3, TTL(message) AS t3 FROM twitch_chat.raw_chat_messages";
    for await (const row of client.stream(query, [], {
      prepare: true,
      fetchSize: 5000,
    }) as unknown as AsyncIterable<cassandra.types.Row>) {
      // The expiry, from the TTL left as the row arrives: it counts down between two reads.
      const expiry = row.t3 === null ? null : Math.round(Date.now() / 1000) + row.t3;
      rows.push({
        row: JSON.stringify([
          row.channel_id,
          String(row.timestamp),
          String(row.message_id),
          row.user_id,
          row.username,
          row.message,
          row.emotes,
          String(row.w1),
          String(row.w2),
          String(row.w3),
        ]),
        expiry,
      });
    }
  } finally {
    await client.shutdown();
  }
  return {
    records: Object.fromEntries([...read].map(([topic, list]) => [topic, list.map(withoutOffset)])),
    nextRecords,
    rows: rows.sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0)),
  };
}

function withoutOffset(record: RecordIdentity & { offset: bigint }): RecordIdentity {
  const { offset: _offset, ...rest } = record;
  return rest;
}

/** The groups writeSampleData commits offsets for. */
export const SAMPLE_GROUPS = ["chat-readers", "stats-readers"];

/**
 * Data with the edges a snapshot must keep: records with and without keys,
 * a null value, headers with binary bytes, timestamps of their own; a
 * compacted topic with a tombstone; one group part way through a topic and
 * one at its end; rows with a list, null columns, the table's TTL, no TTL
 * and one of their own, and a column written later than the rest of its row.
 */
export async function writeSampleData(
  brokers: readonly string[],
  cqlContactPoint: string,
  counts: { readonly records: number; readonly rows: number },
): Promise<void> {
  const kafka = new Kafka({
    clientId: "chatbattle-e2e-data",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300 },
  });
  const producer = kafka.producer();
  await producer.connect();
  const start = Date.now() - counts.records;
  for (let from = 0; from < counts.records; from += 2000) {
    await producer.send({
      topic: "twitch-chat-messages",
      acks: -1,
      messages: Array.from({ length: Math.min(2000, counts.records - from) }, (_, j) => {
        const i = from + j;
        return {
          partition: i % 3,
          key: i % 2 ? `channel-${i % 17}` : null,
          value: i % 101 === 5 ? null : JSON.stringify({ i, text: `message ${i}: Kappa ünïcødé`, user: `u${i % 100}` }),
          headers: i % 10 === 0 ? { source: `e2e-${i}`, raw: Buffer.from([0, 255, i % 256]) } : undefined,
          timestamp: String(start + i),
        };
      }),
    });
  }
  await producer.send({
    topic: "channel-stats",
    acks: -1,
    messages: [
      { key: "ch1", value: "10" },
      { key: "ch1", value: "12" },
      { key: "ch2", value: "3" },
      { key: "ch2", value: null },
    ],
  });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets("twitch-chat-messages");
  await admin.setOffsets({
    groupId: "chat-readers",
    topic: "twitch-chat-messages",
    partitions: offsets.map((o) => ({
      partition: o.partition,
      offset: String(Math.floor(Number(o.high) / (o.partition + 2))),
    })),
  });
  const stats = await admin.fetchTopicOffsets("channel-stats");
  await admin.setOffsets({
    groupId: "stats-readers",
    topic: "channel-stats",
    partitions: stats.map((o) => ({ partition: o.partition, offset: o.high })),
  });
  await admin.disconnect();

  const client = new cassandra.Client({
    contactPoints: [cqlContactPoint],
    localDataCenter: "dc1",
    socketOptions: { readTimeout: 60_000 },
  });
  await client.connect();
  try {
    const insert =
      "INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, user_id, username, message, emotes) VALUES (?, ?, ?, ?, ?, ?, ?)";
    const ttl = (i: number) => (i % 3 === 0 ? " USING TTL 0" : i % 3 === 1 ? " USING TTL 3600" : "");
    await cassandra.concurrent.executeConcurrent(
      client,
      Array.from({ length: counts.rows }, (_, i) => ({
        query: insert + ttl(i),
        params: [
          `channel-${i % 13}`,
          cassandra.types.Long.fromNumber(start + i),
          cassandra.types.Uuid.random(),
          `u${i}`,
          i % 4 ? `name${i}` : null,
          `hello ${i} "quoted"`,
          i % 2 ? ["Kappa", "PogChamp"] : null,
        ],
      })),
      { concurrencyLevel: 32 },
    );
    await client.execute(
      "UPDATE twitch_chat.raw_chat_messages USING TTL 7200 SET message = 'edited' WHERE channel_id = 'channel-1' AND timestamp = ? AND message_id = 00000000-0000-0000-0000-000000000001",
      [cassandra.types.Long.fromNumber(start)],
      { prepare: true },
    );
  } finally {
    await client.shutdown();
  }
}

/** How far apart two reads of the same expiry may be: the seconds a read of the table takes, and the rounding. */
/**
 * How far apart two readings of the same row's expiry may be: a TTL is read
 * as whole seconds left, at slightly different moments, and a restore works
 * out what is left in whole seconds too: up to two seconds a move, either way.
 */
const EXPIRY_TOLERANCE_SECONDS = 5;

/**
 * That `actual` holds the same data as `expected`: every record, every
 * group's next record and every row exactly, and each row's expiry within
 * a few seconds (a bucket such as "the same minute" would split rows near
 * its edge). Prints how far apart the expiries were at most.
 */
export function expectSameData(actual: DataIdentity, expected: DataIdentity): void {
  expect(actual.records).toEqual(expected.records);
  expect(actual.nextRecords).toEqual(expected.nextRecords);
  expect(actual.rows.map((r) => r.row)).toEqual(expected.rows.map((r) => r.row));
  const gaps = actual.rows.map((r, i) => {
    const e = expected.rows[i].expiry;
    return r.expiry === null || e === null ? (r.expiry === e ? 0 : Number.POSITIVE_INFINITY) : r.expiry - e;
  });
  const apart = actual.rows.filter((_, i) => Math.abs(gaps[i]) > EXPIRY_TOLERANCE_SECONDS);
  console.log(`data identity: rows' expiries apart by ${Math.min(0, ...gaps)} to +${Math.max(0, ...gaps)} s`);
  expect(apart.slice(0, 5), `${apart.length} row(s) with another expiry`).toEqual([]);
}

/** A short, printable summary of an identity: counts and a digest of each part, for the test's output. */
export function describeIdentity(identity: DataIdentity): string {
  const digest = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
  return [
    ...Object.entries(identity.records).map(
      ([topic, list]) => `${topic}: ${list.length} records, sha256 ${digest(list)}`,
    ),
    `consumer groups' next records: ${Object.keys(identity.nextRecords).length} partition(s), sha256 ${digest(Object.entries(identity.nextRecords).sort(([a], [b]) => a.localeCompare(b)))}`,
    `raw_chat_messages: ${identity.rows.length} rows, sha256 ${digest(identity.rows.map((r) => r.row))}`,
  ].join("\n");
}
