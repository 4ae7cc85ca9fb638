/**
 * snapshot restore without Docker: a snapshot saved from one set of fakes
 * (the KafkaRecords and CqlSession ports) restored into another. What a real
 * broker and node do with it is the e2e suites' to show.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveSnapshot } from "../../lib/snapshots/save";
import { restoreSnapshot, RestoreRefused } from "../../lib/snapshots/restore";
import type { Manifest } from "../../lib/snapshots/format";
import { FakeKafkaRecords } from "../../test-support/fake-kafka-records";
import { FakeCqlSession, type FakeMessage } from "../../test-support/fake-cql-session";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

// Written a minute ago, as Cassandra counts write times: microseconds since the epoch.
const minuteAgo = BigInt(Date.now() - 60_000) * 1000n;
const ROWS: FakeMessage[] = [
  { channel: "c1", id: 1, body: "hello", writetime: minuteAgo, ttl: null },
  { channel: "c1", id: 2, body: "expires", writetime: minuteAgo, ttl: 3600 },
  { channel: "c2", id: 3, body: "gone soon", writetime: minuteAgo, ttl: 1 },
];

/** Saves the fakes' topics and rows as snapshot `name` in a new folder, removed after the test. */
async function saveFrom(
  kafka: FakeKafkaRecords,
  cassandra: FakeCqlSession,
  topics: string[],
  name: string,
): Promise<{ root: string; manifest: Manifest }> {
  const root = mkdtempSync(join(tmpdir(), "chatbattle-restore-"));
  folders.push(root);
  const manifest = await saveSnapshot(
    {
      kafka,
      cassandra,
      topics,
      keyspace: "ks",
      settings: { kafkaMode: "zookeeper", kafkaBrokers: 1, kafkaImage: "k", cassandraImage: "c", keyspace: "ks" },
    },
    root,
    name,
    { say: () => undefined },
  );
  return { root, manifest };
}

/** A snapshot of two topics, a consumer group and three rows (one whose TTL runs out before the restore). */
async function saved(): Promise<{ root: string; manifest: Manifest; source: FakeKafkaRecords }> {
  const source = new FakeKafkaRecords().topic("chat", 3, 40).topic("stats", 1, 4);
  source.committed.push({ group: "readers", topic: "chat", partition: 2, offset: 15n });
  const { root, manifest } = await saveFrom(source, new FakeCqlSession(ROWS), ["chat", "stats"], "before");
  // The row with a TTL of 1 s expires before anything is restored.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  return { root, manifest, source };
}

/** An empty stack: the topics with their partitions, the table without rows. */
const emptyStack = () => ({
  kafka: new FakeKafkaRecords().topic("chat", 3, 0).topic("stats", 1, 0),
  cassandra: new FakeCqlSession(),
});

describe("snapshot restore", () => {
  it("writes back every record, group position and live row, with its write time and what is left of its TTL", async () => {
    const { root, manifest, source } = await saved();
    const target = emptyStack();
    const said: string[] = [];
    const result = await restoreSnapshot(
      manifest,
      join(root, "before"),
      { ...target, keyspace: "ks" },
      { replace: false, say: (line) => void said.push(line) },
    );
    expect(result).toEqual({ records: 124, rows: 2, expired: 1 });
    for (const topic of ["chat", "stats"]) {
      const restored = target.kafka.topics.get(topic)!.map((p) => p.records);
      expect(restored).toEqual(source.topics.get(topic)!.map((p) => p.records));
    }
    expect(target.kafka.committed).toEqual([{ group: "readers", topic: "chat", partition: 2, offset: 15n }]);
    expect(target.cassandra.rows.map((r) => [r.channel, r.id, r.body, r.writetime])).toEqual([
      ["c1", 1, "hello", minuteAgo],
      ["c1", 2, "expires", minuteAgo],
    ]);
    // One partition's rows go together, as one batch.
    expect(target.cassandra.groupSizes).toEqual([2]);
    expect(target.cassandra.rows[0].ttl).toBeNull();
    // Saved with 3600 s left; a second or two of it has passed since.
    expect(target.cassandra.rows[1].ttl).toBeGreaterThanOrEqual(3597);
    expect(target.cassandra.rows[1].ttl).toBeLessThanOrEqual(3600);
  });

  it("refuses to mix the snapshot with data the stack holds, writing and deleting nothing", async () => {
    const { root, manifest } = await saved();
    const target = {
      kafka: new FakeKafkaRecords().topic("chat", 3, 2).topic("stats", 1, 0),
      cassandra: new FakeCqlSession(),
    };
    const restore = restoreSnapshot(
      manifest,
      join(root, "before"),
      { ...target, keyspace: "ks" },
      { replace: false, say: () => undefined },
    );
    await expect(restore).rejects.toBeInstanceOf(RestoreRefused);
    await expect(restore).rejects.toThrow(/the stack already holds data that the snapshot would mix with: topic chat/);
    expect(target.kafka.calls.filter((c) => !c.startsWith("read"))).toEqual([]);
    expect(target.cassandra.statements).not.toContain("TRUNCATE");
  });

  it("with --replace deletes what the stack holds first, then restores the snapshot in its place", async () => {
    const { root, manifest } = await saved();
    const target = {
      kafka: new FakeKafkaRecords().topic("chat", 3, 2).topic("stats", 1, 0),
      cassandra: new FakeCqlSession([{ channel: "c9", id: 9, body: "newer", writetime: minuteAgo, ttl: null }]),
    };
    const result = await restoreSnapshot(
      manifest,
      join(root, "before"),
      { ...target, keyspace: "ks" },
      { replace: true, say: () => undefined },
    );
    expect(result.records).toBe(124);
    expect(target.kafka.calls).toContain("deleteAllRecords chat");
    expect(target.cassandra.rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("sends a partition's rows in groups of at most 100, never two partitions in one group", async () => {
    const rows = (channel: string, count: number, from: number): FakeMessage[] =>
      Array.from({ length: count }, (_, i) => ({
        channel,
        id: from + i,
        body: `message ${from + i}`,
        writetime: minuteAgo,
        ttl: null,
      }));
    const { root, manifest } = await saveFrom(
      new FakeKafkaRecords().topic("chat", 1, 0),
      new FakeCqlSession([...rows("c1", 250, 0), ...rows("c2", 30, 250), ...rows("c3", 1, 280)]),
      ["chat"],
      "many",
    );
    const target = { kafka: new FakeKafkaRecords().topic("chat", 1, 0), cassandra: new FakeCqlSession() };
    const result = await restoreSnapshot(
      manifest,
      join(root, "many"),
      { ...target, keyspace: "ks" },
      { replace: false, say: () => undefined },
    );
    expect(result.rows).toBe(281);
    expect(target.cassandra.groupSizes).toEqual([100, 100, 50, 30, 1]);
    expect(target.cassandra.rows.map((r) => r.id)).toEqual(Array.from({ length: 281 }, (_, i) => i));
  });
});
