/**
 * What a snapshot is on disk: a folder with a manifest.json, one gzipped JSON
 * Lines file per topic and one per table. Every file is plain gzip and JSON,
 * so `zcat`, `jq` and any language read it; binary data (keys, values,
 * headers) is base64, and each Cassandra value is the text Cassandra's own
 * toJson() gave, kept as a string so that no number loses a digit on the way.
 */

import type { StoredRecord } from "../adapters/kafka/kafka-records";

/** The manifest's format field; a restore refuses any other. */
export const SNAPSHOT_FORMAT = "chatbattle-snapshot/1";

export const MANIFEST_FILE = "manifest.json";

/** A data file's count and checksum, as written. */
export interface FileSummary {
  /** Path inside the snapshot folder. */
  readonly file: string;
  /** SHA-256 of the file's bytes (the gzip), hex. */
  readonly sha256: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
}

export interface TopicEntry extends FileSummary {
  readonly name: string;
  /** The topic's partition count when saved; a restore needs at least as many. */
  readonly partitions: number;
  /** Records per partition, in partition order. */
  readonly records: readonly number[];
  /**
   * Per partition, the source's offset the save read up to (its high offset
   * when the save began), as a decimal string: a later look at the same
   * partition tells whether records arrived since. Absent in older snapshots.
   */
  readonly endOffsets?: readonly string[];
  /** The oldest record's timestamp (ms, decimal string); absent when the topic is empty or the snapshot older. */
  readonly oldestTimestamp?: string;
}

/**
 * A group's place on one partition, as a position among the snapshot's
 * records rather than an offset: offsets differ after a restore (compaction
 * gaps and deleted records are not written again), positions do not.
 */
export interface GroupPosition {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** How many of the partition's saved records come before the group's committed offset: its next record is this one. */
  readonly position: number;
}

export interface TableEntry extends FileSummary {
  readonly name: string;
  readonly rows: number;
  /** The columns saved, primary key first; a restore needs each in the table. */
  readonly columns: readonly string[];
}

export interface Manifest {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly name: string;
  /** ISO time the save started; TTLs were read against it. */
  readonly takenAt: string;
  /** The settings that shape the data, for the reader; a restore does not need them to match. */
  readonly settings: {
    readonly kafkaMode: string;
    readonly kafkaBrokers: number;
    readonly kafkaImage: string;
    readonly cassandraImage: string;
    readonly keyspace: string;
  };
  readonly topics: readonly TopicEntry[];
  readonly groups: readonly GroupPosition[];
  readonly tables: readonly TableEntry[];
}

/** One line of a topic's file. Offsets are the source's, for reference; a restore writes new ones. */
export interface RecordLine {
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string (Kafka's timestamps are 64-bit). */
  readonly timestamp: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: readonly (readonly [string | null, string | null])[];
}

/** One line of a table's file. */
export interface RowLine {
  /** Each non-null column's value as Cassandra's toJson() wrote it. */
  readonly values: Readonly<Record<string, string>>;
  /**
   * The write time (microseconds) and remaining TTL (seconds when saved, null: none) of
   * the row's columns, one entry per distinct pair with the columns it covers; the
   * primary key and collections go with the first.
   */
  readonly cells: readonly {
    readonly writetime: string;
    readonly ttl: number | null;
    readonly columns: readonly string[];
  }[];
}

const b64 = (buffer: Buffer | null) => (buffer === null ? null : buffer.toString("base64"));
const unb64 = (text: string | null) => (text === null ? null : Buffer.from(text, "base64"));

export function encodeRecord(record: StoredRecord): RecordLine {
  return {
    partition: record.partition,
    offset: record.offset.toString(),
    timestamp: record.timestamp.toString(),
    key: b64(record.key),
    value: b64(record.value),
    headers: record.headers.map(([k, v]) => [b64(k), b64(v)] as const),
  };
}

export function decodeRecord(line: RecordLine): StoredRecord {
  return {
    partition: line.partition,
    offset: BigInt(line.offset),
    timestamp: BigInt(line.timestamp),
    key: unb64(line.key),
    value: unb64(line.value),
    headers: line.headers.map(([k, v]) => [unb64(k), unb64(v)] as const),
  };
}

/**
 * A CQL JSON object for `INSERT ... JSON` with these columns: each value is
 * put in as the text toJson() gave, unparsed. Names that are not lower-case
 * identifiers are quoted the way CQL's JSON support expects.
 */
export function insertJson(values: Readonly<Record<string, string>>, columns: readonly string[]): string {
  const name = (column: string) => (/^[a-z_][a-z0-9_]*$/.test(column) ? column : `"${column.replace(/"/g, '""')}"`);
  return `{${columns.map((c) => `${JSON.stringify(name(c))}:${values[c]}`).join(",")}}`;
}

/**
 * The TTL to write a cell with now: what was left when saved, less the time
 * since. 0 means "no TTL" (it overrides a table's default TTL, which must
 * not apply to a cell that had none); undefined means it expired meanwhile.
 */
export function remainingTtl(savedTtl: number | null, savedAt: Date, now: Date): number | undefined {
  if (savedTtl === null) return 0;
  const left = savedTtl - Math.floor((now.getTime() - savedAt.getTime()) / 1000);
  return left > 0 ? left : undefined;
}

/** Snapshot names become folder names: letters, digits, '.', '_' and '-', not starting with '.'. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
