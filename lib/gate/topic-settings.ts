/**
 * Which topic settings delete records when they change, and how many to
 * count. Kafka applies a topic's config in place, so a plan shows these as
 * updates; what they do to the records already there is decided here.
 *
 * A key the topic does not set takes the broker's value (`defaults`), so a
 * removed key is judged by that value, not as "unset".
 */
import type { Finding, LossQuery } from "./findings";

type Config = Readonly<Record<string, string>>;

/** Kafka's "no limit" for retention.ms and retention.bytes. */
const UNLIMITED = -1;

const DAY_MS = 86_400_000;
const UNITS: readonly [number, string][] = [
  [DAY_MS, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
];

/** A duration in words: 604800000 → "7 days", 5400000 → "90 minutes". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "no limit";
  for (const [size, unit] of UNITS)
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms === size ? "" : "s"}`;
  return `${ms} ms`;
}

/** A size in words: 1073741824 → "1024.0 MB". */
export function size(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "no limit";
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${bytes} bytes`;
}

const limit = (value: string | undefined): number => {
  if (value === undefined) return Number.NaN;
  const n = Number(value);
  return n === UNLIMITED ? Number.POSITIVE_INFINITY : n;
};

const policies = (value: string | undefined) => new Set((value ?? "delete").split(",").map((p) => p.trim()));

/** A value as the plan shows it: the topic's own, or the broker's when the topic sets none. */
function shown(key: string, config: Config, defaults: Config | undefined, unit: (n: number) => string): string {
  if (key in config) return `${config[key]}${/^-?\d+$/.test(config[key]) ? ` (${unit(limit(config[key]))})` : ""}`;
  const fallback = defaults?.[key];
  return fallback === undefined
    ? "the broker's default (unknown: Kafka did not answer)"
    : `the broker's default ${fallback} (${unit(limit(fallback))})`;
}

/**
 * The findings for one topic's config change, from `before` (what the broker
 * has) to `after` (what is declared). Loses data:
 * - retention.ms or retention.bytes lowered or removed (to a lower broker
 *   default) while the delete policy applies: the records past it go;
 * - cleanup.policy gaining delete: retention starts to apply;
 * - cleanup.policy gaining compact: every record of a key but its latest goes;
 * - on a compacted topic, delete.retention.ms lowered (tombstones go sooner),
 *   min.compaction.lag.ms or max.compaction.lag.ms lowered (older values of a key go sooner).
 * Any other key changed is safe.
 */
export function judgeTopicConfig(
  stack: string,
  topic: string,
  before: Config,
  after: Config,
  defaults: Config | undefined,
): Finding[] {
  const subject = `topic ${topic}`;
  const effective = (config: Config, key: string) => config[key] ?? defaults?.[key];
  const findings: Finding[] = [];
  /** The changed keys a loss finding speaks of; the others are listed as safe. */
  const covered = new Set<string>();
  const loses = (keys: readonly string[], change: string, loss?: LossQuery) => {
    for (const key of keys) covered.add(key);
    findings.push({ class: "loses-data", stack, subject, change, loss });
  };

  const oldPolicy = policies(effective(before, "cleanup.policy"));
  const newPolicy = policies(effective(after, "cleanup.policy"));
  const policyText = (config: Config) =>
    config["cleanup.policy"] ??
    `the broker's default ${defaults?.["cleanup.policy"] ?? "(unknown: Kafka did not answer)"}`;
  const policyChange = `cleanup.policy ${policyText(before)} → ${policyText(after)}`;

  // Retention by time and by size applies only under the delete policy.
  for (const [key, unit, query] of [
    ["retention.ms", duration, (n: number): LossQuery => ({ kind: "topic-older-than", topic, retentionMs: n })],
    ["retention.bytes", size, (n: number): LossQuery => ({ kind: "topic-over-bytes", topic, retentionBytes: n })],
  ] as const) {
    const was = oldPolicy.has("delete") ? limit(effective(before, key)) : Number.POSITIVE_INFINITY;
    const now = newPolicy.has("delete") ? limit(effective(after, key)) : Number.POSITIVE_INFINITY;
    const keyChange = `${key} ${shown(key, before, defaults, unit)} → ${shown(key, after, defaults, unit)}`;
    if (Number.isNaN(now) || Number.isNaN(was)) {
      if (before[key] !== after[key]) loses([key], `${keyChange}: what the broker would keep cannot be told`);
      continue;
    }
    if (now >= was) continue;
    const why = oldPolicy.has("delete")
      ? keyChange
      : `${policyChange}: ${key} ${shown(key, after, defaults, unit)} applies from now`;
    loses(
      [key, ...(oldPolicy.has("delete") ? [] : ["cleanup.policy"])],
      key === "retention.bytes"
        ? `${why}: the broker deletes the oldest segments of each partition past ${unit(now)}`
        : `${why}: the broker deletes what is past ${unit(now)}, a segment at a time`,
      query(now),
    );
  }

  if (newPolicy.has("compact") && !oldPolicy.has("compact")) {
    loses(
      ["cleanup.policy"],
      `${policyChange}: compaction keeps only the latest record of each key, and removes records without a key`,
      { kind: "topic-superseded", topic },
    );
  } else if (newPolicy.has("compact")) {
    const lowered = (key: string) => limit(effective(after, key)) < limit(effective(before, key));
    const keyChange = (key: string) =>
      `${key} ${shown(key, before, defaults, duration)} → ${shown(key, after, defaults, duration)}`;
    if (lowered("delete.retention.ms")) {
      loses(
        ["delete.retention.ms"],
        `${keyChange("delete.retention.ms")}: compaction removes deletion markers (tombstones) sooner, so a consumer that reads later misses the deletion`,
        { kind: "topic-tombstones", topic },
      );
    }
    for (const key of ["min.compaction.lag.ms", "max.compaction.lag.ms"]) {
      if (lowered(key))
        loses([key], `${keyChange(key)}: compaction removes older records of a key sooner`, {
          kind: "topic-superseded",
          topic,
        });
    }
  }

  const safe = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => before[k] !== after[k] && !covered.has(k))
    .sort();
  if (safe.length > 0) {
    findings.push({
      class: "safe",
      stack,
      subject,
      change: safe
        .map((key) => `${key} ${before[key] ?? "(broker default)"} → ${after[key] ?? "(broker default)"}`)
        .join(", "),
    });
  }
  return findings;
}
