/**
 * Kafka's records and consumer groups, read and written as they are: what a
 * snapshot saves and restores. Partitions are read with plain Fetch requests
 * to each partition's leader (no consumer group is joined, so reading moves
 * no one's offsets), and written with an idempotent producer, acks=all, one
 * batch at a time, so the order within a partition is kept.
 */
import type { KafkaRecord } from "@platformatic/kafka";
import { kafkaLibrary } from "./kafka-library";
import { clientOptions, explainedCall, explainKafkaError, rootCauses, type KafkaClientTarget } from "./kafka-admin";
import { CommandError } from "../../errors";

/** One record as stored in a partition. A null key or value stays null (a tombstone is one). */
export interface StoredRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

/** A record to write, to the partition it names. */
export type RecordToWrite = Omit<StoredRecord, "offset">;

export interface PartitionInfo {
  readonly partition: number;
  readonly leader: number;
  /** The first offset still kept, and the next one to be written. */
  readonly low: bigint;
  readonly high: bigint;
}

/** One consumer group's committed offset on one partition. */
export interface CommittedOffset {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface KafkaRecords {
  /** Every topic but Kafka's own (those whose name starts with "__"). */
  topicNames(): Promise<string[]>;
  /** Each partition of a topic with its leader and offsets; undefined when the topic does not exist. */
  partitions(topic: string): Promise<PartitionInfo[] | undefined>;
  /** The records of a partition from `from` (inclusive) to `to` (exclusive), in offset order. */
  read(topic: string, partition: PartitionInfo, from: bigint, to: bigint): AsyncGenerator<StoredRecord>;
  /** Writes records in the order given (one request at a time, acks=all); they get consecutive offsets per partition. */
  write(topic: string, records: readonly RecordToWrite[]): Promise<void>;
  /** The committed offsets of every consumer group on these topics. */
  committedOffsets(topics: readonly string[]): Promise<CommittedOffset[]>;
  /** Sets a group's committed offsets; the group must have no running member. */
  commitOffsets(group: string, offsets: readonly Omit<CommittedOffset, "group">[]): Promise<void>;
  /** Deletes every record of the partitions below their high offsets (the topic and its configs stay). */
  deleteAllRecords(topic: string, partitions: readonly PartitionInfo[]): Promise<void>;
  /** How long the topic keeps a record: retention.ms as the broker applies it (undefined: no limit), and whether its cleanup policy deletes by age at all. */
  retention(topic: string): Promise<{ readonly retentionMs: number | undefined; readonly deletesByAge: boolean }>;
  /** The consumer groups with members running now (they commit offsets and read on). */
  activeGroups(): Promise<{ readonly group: string; readonly members: number; readonly state: string }[]>;
  close(): Promise<void>;
}

/** Fetch asks for this much per partition and per request: large enough for speed, small enough to keep memory flat. */
const FETCH_MAX_BYTES = 4 * 1024 * 1024;
const CLEANUP_POLICY = "cleanup.policy";
/** How long a group's coordinator may take to settle on a fresh cluster. */
const COORDINATOR_WAIT_MS = 60_000;
/** How long DeleteRecords is tried again while a compacted topic's new policy reaches its logs. */
const POLICY_WAIT_MS = 10_000;
/** The Fetch API's control-batch flag (transaction markers), which holds no user record. */
const IS_CONTROL_BATCH = 0x20;

export async function connectRecords(target: KafkaClientTarget): Promise<KafkaRecords> {
  const { Admin, ConfigResourceTypes, Consumer, Producer } = await kafkaLibrary();
  // Longer than the operating commands' deadlines: a Fetch or a produce of a few MB may take a while on a busy machine.
  const base = clientOptions(target, "chatbattle-snapshot", {
    connectTimeout: 5000,
    requestTimeout: 30000,
    retries: 3,
    retryDelay: 500,
  });
  // The consumer is used for Fetch, ListOffsets and Metadata only: its group is never joined.
  const consumer = new Consumer({ ...base, groupId: "chatbattle-snapshot-reader", maxWaitTime: 100 });
  const producer = new Producer({ ...base, idempotent: true, acks: -1 });
  const admin = new Admin(base);
  const explained = <T>(call: () => Promise<T>) => explainedCall(target, call);
  /**
   * A call tried again every `pauseMs` while it fails with an answer matching `settling` (a state
   * the cluster reaches by itself), for up to `waitMs`; any other failure is explained at once.
   */
  const retryingWhile = async <T>(
    settling: RegExp | undefined,
    waitMs: number,
    pauseMs: number,
    call: () => Promise<T>,
  ): Promise<T> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const transient = settling !== undefined && rootCauses(error).some((c) => settling.test(c.message));
        if (!transient || Date.now() > deadline) throw explainKafkaError(target, error);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  };

  const partitions = async (topic: string): Promise<PartitionInfo[] | undefined> => {
    const topics = await explained(() => admin.listTopics());
    if (!topics.includes(topic)) return undefined;
    const metadata = await explained(() => consumer.metadata({ topics: [topic], forceUpdate: true }));
    const described = metadata.topics.get(topic);
    if (!described) return undefined;
    const count = described.partitions.length;
    const at = (timestamp: bigint) =>
      explained(() =>
        admin.listOffsets({
          topics: [
            { name: topic, partitions: Array.from({ length: count }, (_, p) => ({ partitionIndex: p, timestamp })) },
          ],
        }),
      );
    const [low, high] = await Promise.all([at(-2n), at(-1n)]);
    const offsetOf = (listed: typeof low, p: number) =>
      listed.flatMap((t) => t.partitions).find((x) => x.partitionIndex === p)?.offset ?? 0n;
    return described.partitions.map((p, i) => ({
      partition: i,
      leader: p.leader,
      low: offsetOf(low, i),
      high: offsetOf(high, i),
    }));
  };

  async function* read(
    topic: string,
    partition: PartitionInfo,
    from: bigint,
    to: bigint,
  ): AsyncGenerator<StoredRecord> {
    const metadata = await explained(() => consumer.metadata({ topics: [topic] }));
    const topicId = metadata.topics.get(topic)!.id;
    let next = from;
    while (next < to) {
      const response = await explained(() =>
        consumer.fetch({
          node: partition.leader,
          maxBytes: FETCH_MAX_BYTES,
          topics: [
            {
              topicId,
              partitions: [
                {
                  partition: partition.partition,
                  fetchOffset: next,
                  partitionMaxBytes: FETCH_MAX_BYTES,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                },
              ],
            },
          ],
        }),
      );
      const answer = response.responses[0]?.partitions[0];
      if (!answer)
        throw new CommandError(
          `${topic} partition ${partition.partition}: the broker's answer named no partition; is the stack healthy (npm run health)?`,
        );
      if (answer.errorCode !== 0) {
        throw new CommandError(
          `${topic} partition ${partition.partition}: the broker refused to read it (Kafka error code ${answer.errorCode}); see npm run health and npm run logs -- kafka, then try again.`,
        );
      }
      const before = next;
      for (const batch of answer.records ?? []) {
        const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        if (!(batch.attributes & IS_CONTROL_BATCH)) {
          for (const record of batch.records as KafkaRecord[]) {
            const offset = batch.firstOffset + BigInt(record.offsetDelta);
            // A compressed batch comes whole, with records before the offset asked for.
            if (offset < next || offset >= to) continue;
            yield {
              partition: partition.partition,
              offset,
              timestamp: batch.firstTimestamp + record.timestampDelta,
              key: record.key,
              value: record.value,
              headers: record.headers.map(([k, v]) => [k, v] as const),
            };
          }
        }
        if (batchEnd > next) next = batchEnd;
      }
      // Nothing to read although the high offset is beyond: compaction or a transaction left a gap up to it.
      if (next === before) {
        if (answer.highWatermark <= next) break;
        throw new CommandError(
          `${topic} partition ${partition.partition}: no record at offset ${next} below the high offset ${answer.highWatermark}; the broker may be deleting records right now (retention): try again.`,
        );
      }
    }
  }

  const write = async (topic: string, records: readonly RecordToWrite[]): Promise<void> => {
    if (records.length === 0) return;
    await explained(() =>
      producer.send({
        messages: records.map((r) => ({
          topic,
          partition: r.partition,
          key: r.key ?? undefined,
          value: r.value ?? undefined,
          timestamp: r.timestamp,
          headers: new Map(r.headers.map(([k, v]) => [k ?? Buffer.alloc(0), v as Buffer])),
        })),
      }),
    );
  };

  const committedOffsets = async (topics: readonly string[]): Promise<CommittedOffset[]> => {
    const groups = [...(await explained(() => admin.listGroups())).keys()].sort();
    if (groups.length === 0) return [];
    const listed = await explained(() => admin.listConsumerGroupOffsets({ groups }));
    return listed.flatMap((g) =>
      g.topics
        .filter((t) => topics.includes(t.name))
        .flatMap((t) =>
          t.partitions
            .filter((p) => p.committedOffset >= 0n)
            .map((p) => ({ group: g.groupId, topic: t.name, partition: p.partitionIndex, offset: p.committedOffset })),
        ),
    );
  };

  const commitOffsets = async (group: string, offsets: readonly Omit<CommittedOffset, "group">[]): Promise<void> => {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets)
      byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
    // On a fresh cluster the first group call creates __consumer_offsets; until its partitions have
    // leaders, brokers answer "not the correct coordinator" or "coordinator not available".
    await retryingWhile(/coordinator/i, COORDINATOR_WAIT_MS, 500, () =>
      admin.alterConsumerGroupOffsets({
        groupId: group,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    );
  };

  // Kafka deletes records only from topics whose cleanup.policy includes delete: a compacted topic
  // gets "compact,delete" for the moment it takes, then its own policy back. Should the command die
  // in between, the next deploy puts the declared policy back (it checks the topics' configs).
  const deleteAllRecords = async (topic: string, list: readonly PartitionInfo[]): Promise<void> => {
    const partitions = list.filter((p) => p.high > p.low).map((p) => ({ partition: p.partition, offset: p.high }));
    if (partitions.length === 0) return;
    const [described] = await explained(() =>
      admin.describeConfigs({
        resources: [
          { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [CLEANUP_POLICY] },
        ],
      }),
    );
    const policy = described?.configs.find((c) => c.name === CLEANUP_POLICY)?.value ?? "delete";
    const setPolicy = (value: string) =>
      explained(() =>
        admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: ConfigResourceTypes.TOPIC,
              resourceName: topic,
              configs: [{ name: CLEANUP_POLICY, value, configOperation: 0 }],
            },
          ],
        }),
      );
    const compactedOnly = !policy.split(",").includes("delete");
    if (compactedOnly) await setPolicy(`${policy},delete`);
    try {
      // A changed config reaches the partitions' logs a moment later (in ZooKeeper mode through
      // ZooKeeper): until then the broker still refuses for the old policy, so that answer is retried.
      await retryingWhile(compactedOnly ? /configured policy/i : undefined, POLICY_WAIT_MS, 250, () =>
        admin.deleteRecords({ topics: [{ name: topic, partitions }] }),
      );
    } finally {
      if (compactedOnly) await setPolicy(policy);
    }
  };

  const retention = async (topic: string) => {
    const [described] = await explained(() =>
      admin.describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: ["retention.ms", CLEANUP_POLICY],
          },
        ],
      }),
    );
    const value = (name: string) => described?.configs.find((c) => c.name === name)?.value ?? undefined;
    const ms = Number(value("retention.ms") ?? "-1");
    return {
      retentionMs: ms < 0 ? undefined : ms,
      deletesByAge: (value(CLEANUP_POLICY) ?? "delete").split(",").includes("delete"),
    };
  };

  const activeGroups = async () => {
    const groups = [...(await explained(() => admin.listGroups())).keys()].sort();
    if (groups.length === 0) return [];
    const described = await explained(() => admin.describeGroups({ groups }));
    return [...described.values()]
      .filter((g) => g.members.size > 0)
      .map((g) => ({ group: g.id, members: g.members.size, state: String(g.state) }));
  };

  return {
    topicNames: async () =>
      (await explained(() => admin.listTopics({ includeInternals: false }))).filter((t) => !t.startsWith("__")).sort(),
    partitions,
    read,
    write,
    committedOffsets,
    commitOffsets,
    deleteAllRecords,
    retention,
    activeGroups,
    close: async () => {
      await Promise.allSettled([consumer.close(), producer.close(), admin.close()]);
    },
  };
}
