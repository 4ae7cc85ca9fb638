/**
 * Restores a snapshot into the running stack, whatever its Kafka mode,
 * broker count or Cassandra version. Everything is checked before anything
 * is written: every file against its checksum, every topic against its
 * partition count, every table against its columns (a counter table cannot
 * be written back), the records against the topics' retention (the broker
 * would delete those past it soon after), and the topics and tables for data
 * already there, which only --replace may delete. Records keep their
 * partition, key, value, headers and timestamp; groups get the offsets of
 * the same records; rows keep their write time and what is left of their
 * TTL. It ends with the counts checked against the manifest.
 */
import { join } from "node:path";
import type { KafkaRecords, PartitionInfo, StoredRecord } from "../adapters/kafka/kafka-records";
import type { CqlSession } from "../adapters/cassandra/connect";
import { CommandError } from "../errors";
import { decodeRecord, type Manifest, type RecordLine, type RowLine, type TopicEntry } from "./format";
import { readJsonLines, sha256OfFile } from "./jsonl-files";
import { hasRows, tableShapes, truncate, writeRows, type TableShape } from "./cassandra-tables";
import { Progress } from "./progress";
import { sideBySide } from "./side-by-side";
import { duration } from "../gate/topic-settings";

export interface RestoreTarget {
  readonly kafka: KafkaRecords;
  readonly cassandra: CqlSession;
  readonly keyspace: string;
}

export interface RestoreOptions {
  /** Delete what the snapshot's topics and tables hold first (the user said --replace). */
  readonly replace: boolean;
  /**
   * Carry on a restore that was cut short, deleting nothing: the records a
   * topic holds must be the snapshot's own, in order (what the restore wrote
   * before it stopped), and are not written again; rows (and cells) a table
   * holds as the snapshot has them are not written again either, and rows
   * written since stay as they are. Records the snapshot does not have stop
   * it before anything is written.
   */
  readonly resume?: boolean;
  /** Restore records older than their topic's retention anyway (the user said --allow-data-loss): the broker deletes them soon after. */
  readonly allowExpired?: boolean;
  /** How the refusal names the flag that allows expired records. @default "npm run snapshot -- restore NAME --allow-data-loss" */
  readonly allowExpiredCommand?: string;
  readonly say: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Records sent per produce request. */
const BATCH_RECORDS = 2000;

/** The checks failed: nothing was written. */
export class RestoreRefused extends CommandError {
  override name = "RestoreRefused";
}

/** What is in the stack now, and what a restore would do to it. */
interface Found {
  readonly partitions: Map<string, PartitionInfo[]>;
  readonly shapes: Map<string, TableShape>;
  /** "topic twitch-chat-messages: 1,234 records", "table raw_chat_messages: has rows". */
  readonly occupied: string[];
}

/** Records of the snapshot older than their topic's retention now. */
export interface ExpiredRecords {
  readonly topic: string;
  readonly records: number;
  readonly of: number;
  readonly retentionMs: number;
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
    if (sum !== entry.sha256)
      problems.push(`${entry.file} does not match its checksum (the file changed or is damaged)`);
  }
  if (problems.length > 0)
    throw new RestoreRefused(`snapshot ${manifest.name} is damaged: ${problems.join("; ")}. Nothing was restored.`);

  const partitions = new Map<string, PartitionInfo[]>();
  const occupied: string[] = [];
  for (const topic of manifest.topics) {
    const live = await target.kafka.partitions(topic.name);
    if (!live) {
      problems.push(
        `topic ${topic.name} does not exist here (declare it, in lib/topics.ts or TOPICS_FILE, and deploy)`,
      );
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
    if (lacking.length > 0)
      problems.push(`table ${target.keyspace}.${table.name} has no column(s) ${lacking.join(", ")}`);
    else if (shape.counters.length > 0) {
      problems.push(
        `table ${target.keyspace}.${table.name} has counter column(s) ${shape.counters.join(", ")}: Cassandra changes a counter only by increments, so a snapshot cannot put one back`,
      );
    } else if (await hasRows(target.cassandra, target.keyspace, table.name))
      occupied.push(`table ${target.keyspace}.${table.name}: has rows`);
  }
  if (problems.length > 0)
    throw new RestoreRefused(`cannot restore ${manifest.name} here: ${problems.join("; ")}. Nothing was restored.`);
  return { partitions, shapes, occupied };
}

/**
 * The snapshot's records that are older than their topic's retention now:
 * the broker deletes them at its next retention checks after the restore.
 * Counted from the manifest's oldest timestamp where that says none is, else
 * by reading the topic's file.
 */
export async function expiredRecords(
  manifest: Manifest,
  folder: string,
  kafka: KafkaRecords,
): Promise<ExpiredRecords[]> {
  const found: ExpiredRecords[] = [];
  for (const topic of manifest.topics) {
    const { retentionMs, deletesByAge } = await kafka.retention(topic.name);
    if (!deletesByAge || retentionMs === undefined) continue;
    const cutoff = BigInt(Date.now() - retentionMs);
    if (topic.oldestTimestamp !== undefined && BigInt(topic.oldestTimestamp) >= cutoff) continue;
    let records = 0;
    for await (const line of readJsonLines<RecordLine>(join(folder, topic.file)))
      if (BigInt(line.timestamp) < cutoff) records += 1;
    if (records > 0)
      found.push({ topic: topic.name, records, of: topic.records.reduce((a, b) => a + b, 0), retentionMs });
  }
  return found;
}

/** One line per topic whose records would expire, for a refusal or the note that allows it. */
export function expiredLines(expired: readonly ExpiredRecords[]): string[] {
  return expired.map(
    (e) =>
      `  topic ${e.topic}: ${e.records} of the snapshot's ${e.of} record(s) are older than its retention.ms (${duration(e.retentionMs)}): ` +
      "the broker deletes them after the restore, at its retention checks, each once the newest record of its segment is that old too.",
  );
}

const same = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
const sameRecord = (a: Omit<StoredRecord, "offset">, b: Omit<StoredRecord, "offset">) =>
  a.timestamp === b.timestamp &&
  same(a.key, b.key) &&
  same(a.value, b.value) &&
  a.headers.length === b.headers.length &&
  a.headers.every(([k, v], i) => same(k, b.headers[i][0]) && same(v, b.headers[i][1]));

/**
 * How many of each partition's records are already there, as the snapshot
 * has them (an earlier try of this restore wrote them); a problem in words
 * when a partition holds a record the snapshot does not have there.
 */
async function restoredPrefix(
  topic: TopicEntry,
  live: readonly PartitionInfo[],
  folder: string,
  kafka: KafkaRecords,
): Promise<number[] | string> {
  const there = live.map((p) => Number(p.high - p.low));
  const matched = live.map(() => 0);
  if (there.every((n) => n === 0)) return matched;
  const readers = new Map<number, AsyncGenerator<StoredRecord>>();
  try {
    for await (const line of readJsonLines<RecordLine>(join(folder, topic.file))) {
      const p = line.partition;
      if (matched[p] >= there[p]) continue;
      if (!readers.has(p)) readers.set(p, kafka.read(topic.name, live[p], live[p].low, live[p].high));
      const next = await readers.get(p)!.next();
      if (next.done || !sameRecord(decodeRecord(line), next.value))
        return `topic ${topic.name} partition ${p} holds a record at offset ${live[p].low + BigInt(matched[p])} that the snapshot does not have there`;
      matched[p] += 1;
    }
  } finally {
    await Promise.all([...readers.values()].map((r) => r.return(undefined)));
  }
  const extra = matched.findIndex((m, p) => m < there[p]);
  return extra === -1
    ? matched
    : `topic ${topic.name} partition ${extra} holds ${there[extra] - matched[extra]} record(s) more than the snapshot has there`;
}

export async function restoreSnapshot(
  manifest: Manifest,
  folder: string,
  target: RestoreTarget,
  options: RestoreOptions,
): Promise<{ records: number; rows: number; expired: number }> {
  const progress = new Progress("restore", options.say);
  const found = await inspect(manifest, folder, target);
  const skip = new Map<string, number[]>();
  if (options.resume) {
    const foreign: string[] = [];
    for (const topic of manifest.topics) {
      const prefix = await restoredPrefix(topic, found.partitions.get(topic.name)!, folder, target.kafka);
      if (typeof prefix === "string") foreign.push(prefix);
      else skip.set(topic.name, prefix);
    }
    if (foreign.length > 0) {
      throw new RestoreRefused(
        `the stack holds records that are not the snapshot's (written since it started): ${foreign.join("; ")}. Nothing more was restored, and nothing was deleted. ` +
          `To keep them, save them first (npm run snapshot -- save NAME); to delete them and restore ${manifest.name} in their place: npm run snapshot -- restore ${manifest.name} --replace.`,
      );
    }
    const carried = [...skip.values()].flat().reduce((a, b) => a + b, 0);
    if (carried > 0)
      progress.line(
        `carrying on: ${carried.toLocaleString("en")} record(s) are there already as the snapshot has them, and are not written again (nor are rows that are)`,
      );
  } else if (found.occupied.length > 0 && !options.replace) {
    throw new RestoreRefused(
      `the stack already holds data that the snapshot would mix with: ${found.occupied.join("; ")}. Nothing was restored. ` +
        `To delete that data and restore ${manifest.name} in its place, run: npm run snapshot -- restore ${manifest.name} --replace ` +
        "(save it first, with npm run snapshot -- save NAME, to keep it).",
    );
  }
  const expired = await expiredRecords(manifest, folder, target.kafka);
  if (expired.length > 0 && !options.allowExpired) {
    throw new RestoreRefused(
      [
        `refused: this restore would lose records, so nothing was restored:`,
        ...expiredLines(expired),
        "Ways forward:",
        `  - raise the topic's retention.ms (lib/topics.ts or TOPICS_FILE) and deploy, then restore; or`,
        `  - lose exactly these, deliberately: ${options.allowExpiredCommand ?? `npm run snapshot -- restore ${manifest.name}${options.replace ? " --replace" : ""} --allow-data-loss`}`,
      ].join("\n"),
    );
  }
  if (expired.length > 0)
    progress.line(
      ["--allow-data-loss: going ahead; the broker deletes these soon after:", ...expiredLines(expired)].join("\n"),
    );
  if (found.occupied.length > 0 && options.replace && !options.resume) {
    progress.line(`--replace: deleting ${found.occupied.join("; ")}`);
    for (const topic of manifest.topics)
      await target.kafka.deleteAllRecords(topic.name, found.partitions.get(topic.name)!);
    for (const table of manifest.tables) await truncate(target.cassandra, target.keyspace, table.name);
  }
  const interrupted = () => {
    if (options.signal?.aborted) {
      throw new CommandError(
        `interrupted; ${manifest.name} is partly restored. Run npm run snapshot -- restore ${manifest.name} --replace to restore it whole.`,
      );
    }
  };
  const [records, tables] = await sideBySide(
    (stop) => restoreTopics(manifest, folder, target, skip, progress, () => (interrupted(), stop())),
    (stop) =>
      restoreTables(manifest, folder, target, found, progress, () => (interrupted(), stop()), options.resume === true),
  );
  return { records, ...tables };
}

/**
 * Writes each topic's records back, partition by partition in order; `skip`
 * says, per partition, how many of its first records are there already (a
 * restore carried on) and are not written again.
 */
async function restoreTopics(
  manifest: Manifest,
  folder: string,
  target: RestoreTarget,
  skip: ReadonlyMap<string, readonly number[]>,
  progress: Progress,
  stopIfAsked: () => void,
): Promise<number> {
  let written = 0;
  const mismatches: string[] = [];
  /** Per topic and partition, the offset the snapshot's first record has here: where the group positions count from. */
  const bases = new Map<string, bigint[]>();
  for (const topic of manifest.topics) {
    const skipped = skip.get(topic.name) ?? [];
    // The high offsets now (after --replace deleted the old ones), less the records a carried-on restore wrote already.
    const before = (await target.kafka.partitions(topic.name))!;
    bases.set(
      topic.name,
      before.map((p, i) => p.high - BigInt(skipped[i] ?? 0)),
    );
    const total = topic.records.reduce((a, b) => a + b, 0);
    const passed = before.map(() => 0);
    let batch: StoredRecord[] = [];
    let done = skipped.reduce((a, b) => a + b, 0);
    for await (const line of readJsonLines<RecordLine>(join(folder, topic.file))) {
      if (passed[line.partition] < (skipped[line.partition] ?? 0)) {
        passed[line.partition] += 1;
        continue;
      }
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
    // Checked on the broker: each partition holds exactly the snapshot's count past where its first record went.
    const after = (await target.kafka.partitions(topic.name))!;
    topic.records.forEach((expected, p) => {
      const grown = Number(after[p].high - bases.get(topic.name)![p]);
      if (grown !== expected)
        mismatches.push(`${topic.name} partition ${p}: ${grown} record(s) written, the manifest says ${expected}`);
    });
    written += done;
    progress.done(topic.name, `${done.toLocaleString("en")} records`);
  }
  const groups = [...new Set(manifest.groups.map((g) => g.group))];
  for (const group of groups) {
    const offsets = manifest.groups
      .filter((g) => g.group === group && bases.has(g.topic))
      .map((g) => ({
        topic: g.topic,
        partition: g.partition,
        offset: bases.get(g.topic)![g.partition] + BigInt(g.position),
      }));
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
  if (mismatches.length > 0)
    throw new CommandError(`the restored counts do not match the manifest: ${mismatches.join("; ")}`);
  return written;
}

async function restoreTables(
  manifest: Manifest,
  folder: string,
  target: RestoreTarget,
  found: Found,
  progress: Progress,
  stopIfAsked: () => void,
  keepWhatIsThere: boolean,
): Promise<{ rows: number; expired: number }> {
  let rows = 0;
  let expired = 0;
  for (const table of manifest.tables) {
    const report = (count: number) => {
      stopIfAsked();
      progress.update(table.name, count, table.rows, "rows");
    };
    const shape = found.shapes.get(table.name)!;
    const written = await writeRows(
      target.cassandra,
      target.keyspace,
      shape,
      readJsonLines<RowLine>(join(folder, table.file)),
      new Date(manifest.takenAt),
      report,
      { keepWhatIsThere },
    );
    if (written.rows + written.expired !== table.rows) {
      throw new CommandError(
        `${table.name}: ${written.rows + written.expired} row(s) read from the snapshot, the manifest says ${table.rows}`,
      );
    }
    rows += written.rows;
    expired += written.expired;
    const notes = [
      ...(written.present > 0
        ? [`${written.present.toLocaleString("en")} there already as the snapshot has them, not written again`]
        : []),
      ...(written.expired > 0 ? [`${written.expired} expired since the save, not written`] : []),
    ];
    progress.done(
      table.name,
      `${written.rows.toLocaleString("en")} rows${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
    );
  }
  return { rows, expired };
}
