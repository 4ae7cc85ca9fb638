/**
 * Saves the declared topics (every record, and every consumer group's place
 * in them) and every table of the keyspace (every row, with write times and
 * TTLs) into a snapshot folder. Kafka and Cassandra are read side by side,
 * each record and row streamed straight to its gzip file. Each partition is
 * read up to the high offset it had when the save began, and the groups'
 * offsets are read then too: one point in time per partition, while
 * producers may go on writing.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { KafkaRecords, CommittedOffset } from "../adapters/kafka/kafka-records";
import type { CqlSession } from "../adapters/cassandra/connect";
import { CommandError } from "../errors";
import {
  encodeRecord,
  MANIFEST_FILE,
  SNAPSHOT_FORMAT,
  type GroupPosition,
  type Manifest,
  type TableEntry,
  type TopicEntry,
} from "./format";
import { writeJsonLines } from "./jsonl-files";
import { readRows, tableShapes } from "./cassandra-tables";
import { partialFolder } from "./store";
import { Progress } from "./progress";
import { sideBySide } from "./side-by-side";

export interface SaveSource {
  readonly kafka: KafkaRecords;
  readonly cassandra: CqlSession;
  readonly topics: readonly string[];
  readonly keyspace: string;
  readonly settings: Manifest["settings"];
}

/** The save was stopped by Ctrl-C or SIGTERM; nothing was kept. */
export class SaveInterrupted extends CommandError {
  override name = "SaveInterrupted";
}

const fileName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, "_");

export async function saveSnapshot(
  source: SaveSource,
  root: string,
  name: string,
  options: { say: (line: string) => void; signal?: AbortSignal },
): Promise<Manifest> {
  const folder = join(root, name);
  if (existsSync(folder))
    throw new CommandError(
      `a snapshot named ${name} exists in ${root}; choose another name, or delete it first (npm run snapshot -- delete ${name})`,
    );
  const work = partialFolder(root, name);
  mkdirSync(join(work, "kafka"), { recursive: true });
  mkdirSync(join(work, "cassandra"), { recursive: true });
  const progress = new Progress("snapshot", options.say);
  const takenAt = new Date().toISOString();
  const interrupted = () => {
    if (options.signal?.aborted)
      throw new SaveInterrupted(`interrupted; the unfinished snapshot ${name} was removed, nothing else changed`);
  };
  try {
    // The folder goes only once both sides have stopped.
    const [kafka, tables] = await sideBySide(
      (stop) => saveTopics(source, work, progress, () => (interrupted(), stop())),
      (stop) => saveTables(source, work, new Date(takenAt), progress, () => (interrupted(), stop())),
    );
    const manifest: Manifest = {
      format: SNAPSHOT_FORMAT,
      name,
      takenAt,
      settings: source.settings,
      topics: kafka.topics,
      groups: kafka.groups,
      tables,
    };
    writeFileSync(join(work, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(work, folder);
    return manifest;
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

async function saveTopics(
  source: SaveSource,
  work: string,
  progress: Progress,
  stopIfAsked: () => void,
): Promise<{ topics: TopicEntry[]; groups: GroupPosition[] }> {
  const layouts = await Promise.all(
    source.topics.map(async (topic) => [topic, await source.kafka.partitions(topic)] as const),
  );
  const missing = layouts.filter(([, p]) => p === undefined).map(([t]) => t);
  if (missing.length > 0)
    throw new CommandError(
      `topic(s) ${missing.join(", ")} do not exist on the broker: is the stack deployed (npm run deploy)?`,
    );
  // Read before the records: a group's offset then lies within what is saved.
  const committed = await source.kafka.committedOffsets(source.topics);
  const topics: TopicEntry[] = [];
  const groups: GroupPosition[] = [];
  for (const [topic, partitions] of layouts) {
    const file = `kafka/${fileName(topic)}.jsonl.gz`;
    const writer = writeJsonLines(join(work, file));
    const total = partitions!.reduce((sum, p) => sum + Number(p.high - p.low), 0);
    const counts: number[] = [];
    let done = 0;
    let oldest: bigint | undefined;
    try {
      for (const partition of partitions!) {
        // Each group's committed offset here, lowest first, turned into a position as the records pass.
        const waiting = committed
          .filter((c) => c.topic === topic && c.partition === partition.partition)
          .sort((a, b) => (a.offset < b.offset ? -1 : 1));
        const place = (c: CommittedOffset, position: number) =>
          groups.push({ group: c.group, topic, partition: partition.partition, position });
        let count = 0;
        for await (const record of source.kafka.read(topic, partition, partition.low, partition.high)) {
          while (waiting.length > 0 && waiting[0].offset <= record.offset) place(waiting.shift()!, count);
          await writer.write(encodeRecord(record));
          if (oldest === undefined || record.timestamp < oldest) oldest = record.timestamp;
          count += 1;
          done += 1;
          if (done % 1000 === 0) {
            stopIfAsked();
            progress.update(topic, done, total, "records");
          }
        }
        for (const c of waiting) place(c, count);
        counts.push(count);
      }
    } catch (error) {
      writer.abort();
      throw error;
    }
    const summary = await writer.close();
    topics.push({
      name: topic,
      partitions: partitions!.length,
      records: counts,
      endOffsets: partitions!.map((p) => p.high.toString()),
      ...(oldest === undefined ? {} : { oldestTimestamp: oldest.toString() }),
      file,
      ...summary,
    });
    progress.done(topic, `${done.toLocaleString("en")} records, ${(summary.bytes / 1e6).toFixed(1)} MB`);
  }
  const groupNames = [...new Set(groups.map((g) => g.group))];
  if (groupNames.length > 0)
    progress.line(`consumer group(s) ${groupNames.join(", ")}: ${groups.length} committed offset(s) kept as positions`);
  return {
    topics,
    groups: groups.sort(
      (a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition,
    ),
  };
}

async function saveTables(
  source: SaveSource,
  work: string,
  takenAt: Date,
  progress: Progress,
  stopIfAsked: () => void,
): Promise<TableEntry[]> {
  const shapes = await tableShapes(source.cassandra, source.keyspace);
  if (shapes.length === 0)
    throw new CommandError(`keyspace ${source.keyspace} has no table: is the stack deployed (npm run deploy)?`);
  const entries: TableEntry[] = [];
  for (const shape of shapes) {
    const file = `cassandra/${fileName(shape.name)}.jsonl.gz`;
    const writer = writeJsonLines(join(work, file));
    let rows = 0;
    try {
      for await (const row of readRows(source.cassandra, source.keyspace, shape, takenAt)) {
        await writer.write(row);
        rows += 1;
        if (rows % 1000 === 0) {
          stopIfAsked();
          progress.update(shape.name, rows, undefined, "rows");
        }
      }
    } catch (error) {
      writer.abort();
      throw error;
    }
    const summary = await writer.close();
    entries.push({ name: shape.name, rows, columns: shape.columns, file, ...summary });
    progress.done(shape.name, `${rows.toLocaleString("en")} rows, ${(summary.bytes / 1e6).toFixed(1)} MB`);
  }
  return entries;
}
