import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { SettingsReader } from "./settings-reader";

/** A Kafka topic as the pipeline needs it, on any target: in lib/topics.ts or in a topics file. */
export interface TopicDefinition {
  readonly name: string;
  readonly partitions: number;
  /** Topic-level configs; keys left out take the broker's defaults. */
  readonly config: Readonly<Record<string, string>>;
}

/** Kafka's own rule for a topic name. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The topics of TOPICS_FILE, when it is set: a JSON array of
 * { "name", "partitions", "config": { key: "value" } }, in place of the
 * topics of lib/topics.ts. Every problem is recorded on `settings`, so it is
 * reported with every other bad setting; undefined when unset or bad.
 */
export function readTopicsFile(settings: SettingsReader): readonly TopicDefinition[] | undefined {
  const path = settings.get("TOPICS_FILE", "unset");
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(path), "utf8"));
  } catch (error) {
    settings.problem("TOPICS_FILE", `must name a readable JSON file (${(error as Error).message})`, "unset");
    return undefined;
  }
  const valid = (t: unknown): t is TopicDefinition => {
    const topic = t as TopicDefinition;
    return (
      typeof topic === "object" &&
      topic !== null &&
      typeof topic.name === "string" &&
      TOPIC_NAME.test(topic.name) &&
      Number.isSafeInteger(topic.partitions) &&
      topic.partitions >= 1 &&
      typeof topic.config === "object" &&
      topic.config !== null &&
      Object.values(topic.config).every((v) => typeof v === "string")
    );
  };
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every(valid) ||
    new Set(parsed.map((t) => t.name)).size !== parsed.length
  ) {
    settings.problem(
      "TOPICS_FILE",
      'must hold a JSON array of topics with distinct names, each { "name": "…", "partitions": 1 or more, "config": { "key": "value", … } }',
      "unset",
    );
    return undefined;
  }
  return parsed;
}
