/**
 * The snapshot format's edge cases, without a service: records and rows
 * encoded and decoded exactly, gzip JSON Lines written and read back with
 * their checksums, TTLs counted down, names checked, the folder listed.
 * (That a snapshot restores a stack is the e2e's to show, against real
 * Kafka and Cassandra.)
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeRecord, encodeRecord, insertJson, remainingTtl, SNAPSHOT_FORMAT } from "../../lib/snapshots/format";
import type { StoredRecord } from "../../lib/adapters/kafka/kafka-records";
import { readJsonLines, sha256OfFile, writeJsonLines } from "../../lib/snapshots/jsonl-files";
import { checkName, listSnapshots, readManifest } from "../../lib/snapshots/store";
import { sideBySide } from "../../lib/snapshots/side-by-side";

const scratch = () => mkdtempSync(join(tmpdir(), "chatbattle-snapshot-test-"));

describe("records", () => {
  it("keep null and empty keys, values and header values apart, binary bytes and 64-bit timestamps", () => {
    const record: StoredRecord = {
      partition: 2,
      offset: 9007199254740993n,
      timestamp: 1796081044804n,
      key: null,
      value: Buffer.alloc(0),
      headers: [
        [Buffer.from("trace"), Buffer.from([0, 255, 7])],
        [Buffer.from("empty"), null],
      ],
    };
    const line = JSON.parse(JSON.stringify(encodeRecord(record)));
    expect(line).toEqual({
      partition: 2,
      offset: "9007199254740993",
      timestamp: "1796081044804",
      key: null,
      value: "",
      headers: [
        ["dHJhY2U=", "AP8H"],
        ["ZW1wdHk=", null],
      ],
    });
    expect(decodeRecord(line)).toEqual(record);
  });
});

describe("rows", () => {
  it("go back as the JSON Cassandra gave, unparsed, so no big number loses a digit; odd names are quoted", () => {
    const values = { channel_id: '"c1"', big: "9007199254740993", Odd: '"x"', emotes: '["Kappa"]' };
    expect(insertJson(values, ["channel_id", "big", "Odd", "emotes"])).toBe(
      '{"channel_id":"c1","big":9007199254740993,"\\"Odd\\"":"x","emotes":["Kappa"]}',
    );
  });

  it("count their TTL down from the save; none stays none (0 overrides a table default); an expired one is left out", () => {
    const saved = new Date("2026-01-01T00:00:00Z");
    expect(remainingTtl(100, saved, new Date("2026-01-01T00:00:30Z"))).toBe(70);
    expect(remainingTtl(null, saved, new Date("2027-01-01T00:00:00Z"))).toBe(0);
    expect(remainingTtl(100, saved, new Date("2026-01-01T00:01:40Z"))).toBeUndefined();
  });
});

describe("gzipped JSON Lines", () => {
  it("reads back what was written, and the checksum is the file's", async () => {
    const path = join(scratch(), "t.jsonl.gz");
    const writer = writeJsonLines(path);
    for (let i = 0; i < 5000; i += 1) await writer.write({ i, text: "x".repeat(i % 50) });
    const summary = await writer.close();
    expect(summary.sha256).toBe(await sha256OfFile(path));
    expect(summary.bytes).toBe(readFileSync(path).length);
    expect(gunzipSync(readFileSync(path)).toString().split("\n")[1]).toBe('{"i":1,"text":"x"}');
    let count = 0;
    for await (const line of readJsonLines<{ i: number }>(path)) expect(line.i).toBe(count++);
    expect(count).toBe(5000);
  });

  it("names the file and line of a line that is not JSON", async () => {
    const dir = scratch();
    const path = join(dir, "bad.jsonl.gz");
    const writer = writeJsonLines(path);
    await writer.write({ a: 1 });
    await writer.close();
    const { gzipSync } = await import("node:zlib");
    writeFileSync(path, gzipSync('{"a":1}\n{"a":\n'));
    await expect(async () => {
      for await (const _ of readJsonLines(path)) void _;
    }).rejects.toThrow(`${path}, line 2: not a JSON line`);
  });
});

describe("the snapshot folder", () => {
  it("allows folder-safe names only", () => {
    expect(checkName("before-kraft_2026.11.30")).toBe("before-kraft_2026.11.30");
    for (const bad of ["", "../x", ".hidden", "a/b", "a b"]) expect(() => checkName(bad)).toThrow(/is not allowed/);
  });

  it("lists snapshots oldest first, says which cannot be read, and skips unfinished saves", () => {
    const root = scratch();
    const manifest = (name: string, takenAt: string) => ({
      format: SNAPSHOT_FORMAT,
      name,
      takenAt,
      settings: { kafkaMode: "kraft", kafkaBrokers: 3, kafkaImage: "k", cassandraImage: "c", keyspace: "twitch_chat" },
      topics: [{ name: "t", partitions: 3, records: [1, 2, 3], file: "kafka/t.jsonl.gz", sha256: "", bytes: 0 }],
      groups: [],
      tables: [{ name: "r", rows: 7, columns: ["a"], file: "cassandra/r.jsonl.gz", sha256: "", bytes: 0 }],
    });
    for (const [name, at] of [
      ["new", "2026-02-01T00:00:00Z"],
      ["old", "2026-01-01T00:00:00Z"],
    ]) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "manifest.json"), JSON.stringify(manifest(name, at)));
    }
    mkdirSync(join(root, "broken"));
    mkdirSync(join(root, ".half.partial-1"));
    const listed = listSnapshots(root);
    expect(listed.map((s) => [s.name, s.records, s.rows, s.kafka])).toEqual([
      ["broken", undefined, undefined, undefined],
      ["old", 6, 7, "kraft x3"],
      ["new", 6, 7, "kraft x3"],
    ]);
    expect(listed[0].problem).toMatch(/cannot be read/);
    expect(() => readManifest(root, "nope")).toThrow(/no snapshot named nope/);
    writeFileSync(join(root, "old", "manifest.json"), JSON.stringify({ ...manifest("old", "x"), format: "other/9" }));
    expect(() => readManifest(root, "old")).toThrow(/this app reads chatbattle-snapshot\/1 only/);
  });
});

describe("Kafka and Cassandra side by side", () => {
  it("gives both results when both sides finish", async () => {
    expect(
      await sideBySide(
        async () => 1,
        async () => "two",
      ),
    ).toEqual([1, "two"]);
  });

  it("stops the other side at its next check when one fails, and fails with the first error once both have ended", async () => {
    const events: string[] = [];
    const failing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push("kafka failed");
      throw new Error("broker gone");
    };
    const working = async (stop: () => void) => {
      for (let i = 0; i < 100; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          stop();
        } catch (error) {
          events.push("cassandra stopped");
          throw error;
        }
      }
      events.push("cassandra finished");
    };
    await expect(sideBySide(failing, working)).rejects.toThrow("broker gone");
    expect(events).toEqual(["kafka failed", "cassandra stopped"]);
  });
});
