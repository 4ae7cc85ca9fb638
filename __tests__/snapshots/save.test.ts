/**
 * snapshot save without Docker: Kafka through the fake KafkaRecords port,
 * Cassandra through the fake CqlSession. What a real broker and node do is the e2e suites' to show.
 */
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveSnapshot, SaveInterrupted, type SaveSource } from "../../lib/snapshots/save";
import { readJsonLines } from "../../lib/snapshots/jsonl-files";
import { decodeRecord, type RecordLine, type RowLine } from "../../lib/snapshots/format";
import { CommandError } from "../../lib/errors";
import { FakeKafkaRecords } from "../../test-support/fake-kafka-records";
import { FakeCqlSession } from "../../test-support/fake-cql-session";

const message = (id: number, body: string) => ({
  channel: "c1",
  id,
  body,
  writetime: 1_796_000_000_000_000n,
  ttl: null,
});

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function setUp(kafka = new FakeKafkaRecords().topic("chat", 3, 25).topic("stats", 1, 4)) {
  const root = mkdtempSync(join(tmpdir(), "chatbattle-save-"));
  folders.push(root);
  const source: SaveSource = {
    kafka,
    cassandra: new FakeCqlSession([message(1, "hello"), message(2, "again")]),
    topics: ["chat", "stats"],
    keyspace: "ks",
    settings: { kafkaMode: "zookeeper", kafkaBrokers: 1, kafkaImage: "k", cassandraImage: "c", keyspace: "ks" },
  };
  return { root, source, kafka };
}

const quiet = { say: () => undefined };

describe("snapshot save", () => {
  it("writes every record of every partition and every row, with a manifest that counts them", async () => {
    const { root, source, kafka } = setUp();
    const manifest = await saveSnapshot(source, root, "before", quiet);
    expect(manifest.topics.map((t) => [t.name, t.partitions, t.records, t.endOffsets])).toEqual([
      ["chat", 3, [25, 25, 25], ["25", "25", "25"]],
      ["stats", 1, [4], ["4"]],
    ]);
    expect(manifest.tables.map((t) => [t.name, t.rows, t.columns])).toEqual([
      ["messages", 2, ["channel", "id", "body"]],
    ]);
    const lines: RecordLine[] = [];
    for await (const line of readJsonLines<RecordLine>(join(root, "before", manifest.topics[0].file))) lines.push(line);
    expect(lines.map(decodeRecord)).toEqual(kafka.topics.get("chat")!.flatMap((p) => p.records));
    const rows: RowLine[] = [];
    for await (const row of readJsonLines<RowLine>(join(root, "before", manifest.tables[0].file))) rows.push(row);
    expect(rows[0]).toEqual({
      values: { channel: '"c1"', id: "1", body: '"hello"' },
      cells: [{ writetime: "1796000000000000", ttl: null, columns: ["body"] }],
    });
  });

  it("keeps each consumer group's committed offset as a position among the saved records", async () => {
    const kafka = new FakeKafkaRecords().topic("chat", 3, 25).topic("stats", 1, 4);
    kafka.committed.push(
      { group: "readers", topic: "chat", partition: 1, offset: 10n },
      { group: "readers", topic: "chat", partition: 2, offset: 25n },
    );
    const { root, source } = setUp(kafka);
    const manifest = await saveSnapshot(source, root, "groups", quiet);
    expect(manifest.groups).toEqual([
      { group: "readers", topic: "chat", partition: 1, position: 10 },
      { group: "readers", topic: "chat", partition: 2, position: 25 },
    ]);
  });

  it("refuses a name that exists and a topic the broker lacks, and leaves no half-written folder", async () => {
    const { root, source } = setUp();
    await saveSnapshot(source, root, "once", quiet);
    await expect(saveSnapshot(source, root, "once", quiet)).rejects.toThrow(/a snapshot named once exists/);
    const missing = saveSnapshot({ ...source, topics: ["chat", "gone"] }, root, "missing", quiet);
    await expect(missing).rejects.toBeInstanceOf(CommandError);
    await expect(missing).rejects.toThrow("topic(s) gone do not exist on the broker");
    expect(readdirSync(root)).toEqual(["once"]);
  });

  it("stops on an interrupt, removing the unfinished snapshot and nothing else", async () => {
    const { root, source } = setUp(new FakeKafkaRecords().topic("chat", 1, 5000).topic("stats", 1, 4));
    const stop = new AbortController();
    stop.abort();
    await expect(saveSnapshot(source, root, "cut", { ...quiet, signal: stop.signal })).rejects.toBeInstanceOf(
      SaveInterrupted,
    );
    expect(existsSync(join(root, "cut"))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });
});
