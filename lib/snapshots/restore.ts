/**
 * Restores a snapshot into the running stack, whatever its Kafka mode,
 * broker count or Cassandra version. Everything is checked before anything
 * is written: every file against its checksum, every topic against its
 * partition count, every table against its columns, and the topics and
 * tables for data already there, which only --replace may delete. Records
 * keep their partition, key, value, headers and timestamp; groups get the
 * offsets of the same records; rows keep their write time and what is left
 * of their TTL. It ends with the counts checked against the manifest.
 */
import { join } from "node:path";
import type { KafkaRecords, PartitionInfo, StoredRecord } from "../adapters/kafka/kafka-records";
import type { CassandraClient } from "../schema/connect";
import { CommandError } from "../errors";
import { decodeRecord, type Manifest, type RecordLine, type RowLine } from "./format";
import { readJsonLines, sha256OfFile } from "./jsonl-files";
import { hasRows, tableShapes, truncate, writeRows, type TableShape } from "./cassandra-tables";
import { Progress } from "./progress";
import { sideBySide } from "./side-by-side";

export interface RestoreTarget {
  readonly kafka: KafkaRecords;
  readonly cassandra: CassandraClient;
  readonly keyspace: string;
}

/** Records sent per produce request. */
const BATCH_RECORDS = 2000;

/** The checks failed: nothing was written. */
export class RestoreRefused extends CommandError {
  override name = "RestoreRefused";
}

/** What is in the stack now, and what a restore with --replace would delete. */
interface Found {
  readonly partitions: Map<string, PartitionInfo[]>;
  readonly shapes: Map<string, TableShape>;
  /** "topic twitch-chat-messages: 1,234 records", "table raw_chat_messages: has rows". */
  readonly occupied: string[];
}

async function inspect(manifest: Manifest, folder: string, target: RestoreTarget): Promise<Found> {
  const problems: string[] = [];
  for (const entry of [...manifest.topics, ...manifest.tables]) {
    let sum: string;
    try {
      sum = await sha256OfFile(join(folder, entry.file));
    } catch {
      problems.push(`${entry.file} is missing`);
      continue;
    }
    if (sum !== entry.sha256) problems.push(`${entry.file} does not match its checksum (the file changed or is damaged)`);
  }
  if (problems.length > 0) throw new RestoreRefused(`snapshot ${manifest.name} is damaged: ${problems.join("; ")}. Nothing was restored.`);

  const partitions = new Map<string, PartitionInfo[]>();
  const occupied: string[] = [];
  for (const topic of manifest.topics) {
    const live = await target.kafka.partitions(topic.name);
    if (!live) {
      problems.push(`topic ${topic.name} does not exist here (declare it, in lib/topics.ts or TOPICS_FILE, and deploy)`);
      continue;
    }
    if (live.length < topic.partitions) {
      problems.push(
        `topic ${topic.name} has ${live.length} partition(s) here and ${topic.partitions} in the snapshot: each record goes back to its own partition, so raise its partitions (KAFKA_TOPIC_PARTITIONS or the topic's declaration) to ${topic.partitions} or more and deploy`,
      );
      continue;
    }
    partitions.set(topic.name, live);
    const records = live.reduce((sum, p) => sum + Number(p.high - p.low), 0);
    if (records > 0) occupied.push(`topic ${topic.name}: ${records.toLocaleString("en")} record(s)`);
  }
  const shapes = new Map((await tableShapes(target.cassandra, target.keyspace)).map((s) => [s.name, s]));
  for (const table of manifest.tables) {
    const shape = shapes.get(table.name);
    if (!shape) {
      problems.push(`table ${target.keyspace}.${table.name} does not exist here (is its CQL in cql/?)`);
      continue;
    }
    const lacking = table.columns.filter((c) => !shape.columns.includes(c));
    if (lacking.length > 0) problems.push(`table ${target.keyspace}.${table.name} has no column(s) ${lacking.join(", ")}`);
    else if (await hasRows(target.cassandra, target.keyspace, table.name)) occupied.push(`table ${target.keyspace}.${table.name}: has rows`);
  }
  if (problems.length > 0) throw new RestoreRefused(`cannot restore ${manifest.name} here: ${problems.join("; ")}. Nothing was restored.`);
  return { partitions, shapes, occupied };
}

export async function restoreSnapshot(
  manifest: Manifest,
  folder: string,
  target: RestoreTarget,
  options: { readonly replace: boolean; readonly say: (line: string) => void; readonly signal?: AbortSignal },
): Promise<{ records: number; rows: number; expired: number }> {
  const progress = new Progress("restore", options.say);
  const found = await inspect(manifest, folder, target);
  if (found.occupied.length > 0 && !options.replace) {
    throw new RestoreRefused(
      `the stack already holds data that the snapshot would mix with: ${found.occupied.join("; ")}. Nothing was restored. ` +
        `To delete that data and restore ${manifest.name} in its place, run: npm run snapshot -- restore ${manifest.name} --replace ` +
        "(save it first, with npm run snapshot -- save NAME, to keep it).",
    );
  }
  if (found.occupied.length > 0) {
    progress.line(`--replace: deleting ${found.occupied.join("; ")}`);
    for (const topic of manifest.topics) await target.kafka.deleteAllRecords(topic.name, found.partitions.get(topic.name)!);
    for (const table of manifest.tables) await truncate(target.cassandra, target.keyspace, table.name);
  }
  const interrupted = () => {
    if (options.signal?.aborted) {
      throw new CommandError(`interrupted; ${manifest.name} is partly restored. Run npm run snapshot -- restore ${manifest.name} --replace to restore it whole.`);
    }
  };
  const [records, tables] = await sideBySide(
    (stop) => restoreTopics(manifest, folder, target, progress, () => (interrupted(), stop())),
    (stop) => restoreTables(manifest, folder, target, found, progress, () => (interrupted(), stop())),
  );
  return { records, ...tables };
}

async function restoreTopics(manifest: Manifest, folder: string, target: RestoreTarget, progress: Progress, stopIfAsked: () => void): Promise<number> {
  let written = 0;
  const mismatches: string[] = [];
  const bases = new Map<string, PartitionInfo[]>();
  for (const topic of manifest.topics) {
    // Where the restored records start: the high offsets now (after --replace deleted the old ones).
    const before = (await target.kafka.partitions(topic.name))!;
    bases.set(topic.name, before);
    const total = topic.records.reduce((a, b) => a + b, 0);
    let batch: StoredRecord[] = [];
    let done = 0;
    for await (const line of readJsonLines<RecordLine>(join(folder, topic.file))) {
      batch.push(decodeRecord(line));
      if (batch.length === BATCH_RECORDS) {
        stopIfAsked();
        await target.kafka.write(topic.name, batch);
        done += batch.length;
        batch = [];
        progress.update(topic.name, done, total, "records");
      }
    }
    await target.kafka.write(topic.name, batch);
    done += batch.length;
    // Checked on the broker: each partition grew by exactly the snapshot's count.
    const after = (await target.kafka.partitions(topic.name))!;
    topic.records.forEach((expected, p) => {
      const grown = Number(after[p].high - before[p].high);
      if (grown !== expected) mismatches.push(`${topic.name} partition ${p}: ${grown} record(s) written, the manifest says ${expected}`);
    });
    written += done;
    progress.done(topic.name, `${done.toLocaleString("en")} records`);
  }
  const groups = [...new Set(manifest.groups.map((g) => g.group))];
  for (const group of groups) {
    const offsets = manifest.groups
      .filter((g) => g.group === group && bases.has(g.topic))
      .map((g) => ({ topic: g.topic, partition: g.partition, offset: bases.get(g.topic)![g.partition].high + BigInt(g.position) }));
    try {
      await target.kafka.commitOffsets(group, offsets);
    } catch (error) {
      throw new CommandError(
        `the records are restored, but consumer group ${group}'s offsets could not be set (${error instanceof Error ? error.message : error}). ` +
          `Stop the group's consumers and run npm run snapshot -- restore ${manifest.name} --replace again.`,
      );
    }
  }
  if (groups.length > 0) progress.line(`consumer group(s) ${groups.join(", ")}: each resumes at the record it was at`);
  if (mismatches.length > 0) throw new CommandError(`the restored counts do not match the manifest: ${mismatches.join("; ")}`);
  return written;
}

async function restoreTables(
  manifest: Manifest,
  folder: string,
  target: RestoreTarget,
  found: Found,
  progress: Progress,
  stopIfAsked: () => void,
): Promise<{ rows: number; expired: number }> {
  let rows = 0;
  let expired = 0;
  for (const table of manifest.tables) {
    const written = await writeRows(target.cassandra, target.keyspace, found.shapes.get(table.name)!, readJsonLines<RowLine>(join(folder, table.file)), new Date(manifest.takenAt), (count) => {
      stopIfAsked();
      progress.update(table.name, count, table.rows, "rows");
    });
    if (written.rows + written.expired !== table.rows) {
      throw new CommandError(`${table.name}: ${written.rows + written.expired} row(s) read from the snapshot, the manifest says ${table.rows}`);
    }
    rows += written.rows;
    expired += written.expired;
    progress.done(table.name, `${written.rows.toLocaleString("en")} rows${written.expired > 0 ? ` (${written.expired} expired since the save, not written)` : ""}`);
  }
  return { rows, expired };
}
