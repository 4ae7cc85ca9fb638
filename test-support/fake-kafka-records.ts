/**
 * Kafka's records in memory, behind the KafkaRecords port: topics with
 * their partitions and records, and consumer groups' committed offsets, as
 * a test sets them. It proves the logic around the port (snapshot save and
 * restore), never that a broker does what the port says: the e2e suites do.
 */
import type {
  CommittedOffset,
  KafkaRecords,
  PartitionInfo,
  RecordToWrite,
  StoredRecord,
} from "../lib/adapters/kafka/kafka-records";

export class FakeKafkaRecords implements KafkaRecords {
  /** Each topic's partitions, each a list of records from offset `low`. */
  readonly topics = new Map<string, { low: bigint; records: StoredRecord[] }[]>();
  readonly committed: CommittedOffset[] = [];
  /** Every call, as "method arg…". */
  readonly calls: string[] = [];

  /** A topic of `partitions` partitions, each with `perPartition` records (key k<partition>-<i>, value v<i>). */
  topic(name: string, partitions: number, perPartition: number): this {
    this.topics.set(
      name,
      Array.from({ length: partitions }, (_, partition) => ({
        low: 0n,
        records: Array.from({ length: perPartition }, (_, i) => ({
          partition,
          offset: BigInt(i),
          timestamp: 1_796_000_000_000n + BigInt(i),
          key: Buffer.from(`k${partition}-${i}`),
          value: i % 10 === 9 ? null : Buffer.from(`v${i}`),
          headers: i % 3 === 0 ? [[Buffer.from("source"), Buffer.from([0, 1, 2])] as const] : [],
        })),
      })),
    );
    return this;
  }

  async topicNames(): Promise<string[]> {
    return [...this.topics.keys()];
  }

  async partitions(topic: string): Promise<PartitionInfo[] | undefined> {
    return this.topics.get(topic)?.map((p, partition) => ({
      partition,
      leader: 1,
      low: p.low,
      high: p.low + BigInt(p.records.length),
    }));
  }

  async *read(topic: string, partition: PartitionInfo, from: bigint, to: bigint): AsyncGenerator<StoredRecord> {
    this.calls.push(`read ${topic}/${partition.partition} ${from}..${to}`);
    for (const record of this.topics.get(topic)![partition.partition].records)
      if (record.offset >= from && record.offset < to) yield record;
  }

  async write(topic: string, records: readonly RecordToWrite[]): Promise<void> {
    this.calls.push(`write ${topic} ${records.length}`);
    const partitions = this.topics.get(topic)!;
    for (const record of records) {
      const p = partitions[record.partition];
      p.records.push({ ...record, offset: p.low + BigInt(p.records.length) });
    }
  }

  async committedOffsets(topics: readonly string[]): Promise<CommittedOffset[]> {
    return this.committed.filter((c) => topics.includes(c.topic));
  }

  async commitOffsets(group: string, offsets: readonly Omit<CommittedOffset, "group">[]): Promise<void> {
    this.calls.push(`commit ${group} ${offsets.length}`);
    for (const offset of offsets) this.committed.push({ group, ...offset });
  }

  async deleteAllRecords(topic: string): Promise<void> {
    this.calls.push(`deleteAllRecords ${topic}`);
    for (const p of this.topics.get(topic)!) {
      p.low += BigInt(p.records.length);
      p.records = [];
    }
  }

  async retention() {
    return { retentionMs: undefined, deletesByAge: false };
  }

  async activeGroups() {
    return [];
  }

  async close(): Promise<void> {}
}
