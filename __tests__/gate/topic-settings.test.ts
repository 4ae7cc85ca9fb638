import { describe, expect, it } from "vitest";
import { duration, judgeTopicConfig } from "../../lib/gate/topic-settings";

const DAY = 86_400_000;
/** The broker's fallbacks, as Kafka's defaults have them. */
const BROKER = {
  "retention.ms": String(7 * DAY),
  "retention.bytes": "-1",
  "cleanup.policy": "delete",
  "delete.retention.ms": String(DAY),
  "min.compaction.lag.ms": "0",
  "max.compaction.lag.ms": "9223372036854775807",
};
const judge = (
  before: Record<string, string>,
  after: Record<string, string>,
  defaults: Record<string, string> | null = BROKER,
) =>
  judgeTopicConfig("topics", "t", before, after, defaults ?? undefined).map((f) => ({
    class: f.class,
    change: f.change,
    loss: f.loss,
  }));

describe("judgeTopicConfig: which topic settings delete records", () => {
  it("a lowered retention.ms loses the records past it", () => {
    expect(judge({ "retention.ms": String(7 * DAY) }, { "retention.ms": String(DAY) })).toEqual([
      {
        class: "loses-data",
        change:
          "retention.ms 604800000 (7 days) → 86400000 (1 day): the broker deletes what is past 1 day, a segment at a time",
        loss: { kind: "topic-older-than", topic: "t", retentionMs: DAY },
      },
    ]);
  });

  it("a raised retention, or one set to no limit, is safe", () => {
    expect(judge({ "retention.ms": String(DAY) }, { "retention.ms": String(2 * DAY) })).toEqual([
      { class: "safe", change: "retention.ms 86400000 → 172800000", loss: undefined },
    ]);
    expect(judge({ "retention.ms": String(DAY) }, { "retention.ms": "-1" })[0].class).toBe("safe");
  });

  it("a retention removed is judged by the broker's value it falls back to", () => {
    const lower = judge({ "retention.ms": String(30 * DAY) }, {});
    expect(lower).toMatchObject([{ class: "loses-data", loss: { kind: "topic-older-than", retentionMs: 7 * DAY } }]);
    expect(lower[0].change).toContain("retention.ms 2592000000 (30 days) → the broker's default 604800000 (7 days)");
    expect(judge({ "retention.ms": String(DAY) }, {})[0].class).toBe("safe");
  });

  it("a retention removed while the broker's fallback is unknown is refused as unknowable", () => {
    expect(judge({ "retention.ms": String(DAY) }, {}, null)).toMatchObject([{ class: "loses-data", loss: undefined }]);
  });

  it("retention.bytes lowered from no limit loses the bytes over it", () => {
    expect(judge({}, { "retention.bytes": "1000000" })).toMatchObject([
      { class: "loses-data", loss: { kind: "topic-over-bytes", retentionBytes: 1_000_000 } },
    ]);
  });

  it("delete to compact loses every record of a key but its latest", () => {
    expect(judge({ "cleanup.policy": "delete" }, { "cleanup.policy": "compact" })).toMatchObject([
      {
        class: "loses-data",
        loss: { kind: "topic-superseded", topic: "t" },
        change: expect.stringContaining(
          "cleanup.policy delete → compact: compaction keeps only the latest record of each key",
        ),
      },
    ]);
  });

  it("compact to delete brings the retention to bear on every record", () => {
    const found = judge(
      { "cleanup.policy": "compact", "retention.ms": String(DAY) },
      { "cleanup.policy": "delete", "retention.ms": String(DAY) },
    );
    expect(found).toMatchObject([{ class: "loses-data", loss: { kind: "topic-older-than", retentionMs: DAY } }]);
    expect(found[0].change).toContain(
      "cleanup.policy compact → delete: retention.ms 86400000 (1 day) applies from now",
    );
  });

  it("compact to compact,delete: retention applies too; compact,delete to delete loses nothing", () => {
    expect(judge({ "cleanup.policy": "compact" }, { "cleanup.policy": "compact,delete" })).toMatchObject([
      { class: "loses-data", loss: { kind: "topic-older-than" } },
    ]);
    expect(judge({ "cleanup.policy": "compact,delete" }, { "cleanup.policy": "delete" })).toMatchObject([
      { class: "safe" },
    ]);
  });

  it("on a compacted topic, a lowered delete.retention.ms or compaction lag loses tombstones or older values sooner", () => {
    const compacted = { "cleanup.policy": "compact" };
    expect(
      judge({ ...compacted, "delete.retention.ms": String(DAY) }, { ...compacted, "delete.retention.ms": "1000" }),
    ).toMatchObject([{ class: "loses-data", loss: { kind: "topic-tombstones" } }]);
    expect(judge({ ...compacted, "min.compaction.lag.ms": String(DAY) }, compacted)).toMatchObject([
      { class: "loses-data", loss: { kind: "topic-superseded" } },
    ]);
    // Not compacted: tombstones are not kept apart, so delete.retention.ms does nothing.
    expect(judge({ "delete.retention.ms": String(DAY) }, { "delete.retention.ms": "1000" })).toMatchObject([
      { class: "safe" },
    ]);
  });

  it("other settings are safe, listed together", () => {
    expect(
      judge({ "min.cleanable.dirty.ratio": "0.5" }, { "min.cleanable.dirty.ratio": "0.1", "segment.ms": "3600000" }),
    ).toEqual([
      {
        class: "safe",
        change: "min.cleanable.dirty.ratio 0.5 → 0.1, segment.ms (broker default) → 3600000",
        loss: undefined,
      },
    ]);
  });

  it("says durations in words", () => {
    expect([
      duration(7 * DAY),
      duration(3_600_000),
      duration(5_400_000),
      duration(1500),
      duration(Number.POSITIVE_INFINITY),
    ]).toEqual(["7 days", "1 hour", "90 minutes", "1500 ms", "no limit"]);
  });
});
