import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, ConfigError } from "../../lib/config/config";
import { synthesize } from "../../test-support/synth";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-topics-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("TOPICS_FILE", () => {
  it("declares the topics in place of lib/topics.ts, as the topics stack synthesizes them", () => {
    const topics = [{ name: "bench-topic-0", partitions: 5, config: { "retention.ms": "1000" } }];
    const { stacks } = synthesize({ TOPICS_FILE: file("one.json", JSON.stringify(topics)) });
    const declared = Object.values(stacks.topics.resource.kafka_topic) as {
      name: string;
      partitions: number;
      config: Record<string, string>;
    }[];
    expect(declared.map((t) => [t.name, t.partitions, t.config])).toEqual([
      ["bench-topic-0", 5, { "retention.ms": "1000" }],
    ]);
  });

  it("unset, leaves the seed's topics", () => {
    expect(parseConfig({}).topicsFromFile).toBeUndefined();
    expect(Object.keys(synthesize().stacks.topics.resource.kafka_topic)).toHaveLength(2);
  });

  it.each([
    ["a file that does not exist", join(dir, "missing.json"), /TOPICS_FILE=.*must name a readable JSON file/],
    ["text that is not JSON", "not-json", /TOPICS_FILE=.*must name a readable JSON file \(Unexpected token/],
    [
      "a topic without partitions",
      JSON.stringify([{ name: "t", config: {} }]),
      /TOPICS_FILE=.*must hold a JSON array of topics/,
    ],
    [
      "a bad topic name",
      JSON.stringify([{ name: "a b", partitions: 1, config: {} }]),
      /must hold a JSON array of topics/,
    ],
    [
      "two topics of one name",
      JSON.stringify([
        { name: "t", partitions: 1, config: {} },
        { name: "t", partitions: 2, config: {} },
      ]),
      /distinct names/,
    ],
  ])("refuses %s, with every other bad setting", (_, content, message) => {
    const path = content.startsWith("/") ? content : file(`bad-${Math.random()}.json`, content);
    const parse = () => parseConfig({ TOPICS_FILE: path, KAFKA_BROKERS: "2" });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/KAFKA_BROKERS/);
  });
});
