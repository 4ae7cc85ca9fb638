import { describe, expect, it } from "vitest";
import { destructiveChanges } from "../lib/adapters/terraform/plan-changes";
import { lossLines, refusalMessage } from "../lib/checks/data-loss";

/** A plan as `terraform show -json` prints it, with the resource changes given. */
const plan = (...changes: object[]) => JSON.stringify({ format_version: "1.2", resource_changes: changes });

const topic = (partitions: number, retention = "86400000") => ({ name: "channel-stats", partitions, replication_factor: 1, config: { "retention.ms": retention } });

describe("destructiveChanges", () => {
  it("finds a topic replaced because its partitions went down, and says so", () => {
    const changes = destructiveChanges(
      "topics",
      plan({
        address: "kafka_topic.topic-channel-stats",
        mode: "managed",
        type: "kafka_topic",
        action_reason: "replace_because_cannot_update",
        change: { actions: ["delete", "create"], before: topic(3), after: topic(2), replace_paths: [["partitions"]] },
      }),
    );
    expect(changes).toEqual([
      { stack: "topics", address: "kafka_topic.topic-channel-stats", type: "kafka_topic", name: "channel-stats", action: "replace", reason: "partitions 3 → 2" },
    ]);
  });

  it("finds a topic or volume that is no longer declared", () => {
    const changes = destructiveChanges(
      "volumes",
      plan({
        address: "docker_volume.kafka2Data",
        mode: "managed",
        type: "docker_volume",
        action_reason: "delete_because_no_resource_config",
        change: { actions: ["delete"], before: { name: "chatbattle-kafka-2-data" }, after: null },
      }),
    );
    expect(changes).toEqual([
      { stack: "volumes", address: "docker_volume.kafka2Data", type: "docker_volume", name: "chatbattle-kafka-2-data", action: "delete", reason: "no longer declared" },
    ]);
  });

  it("lets through what loses nothing: more partitions, a new retention, a new topic, a replaced container", () => {
    const changes = destructiveChanges(
      "topics",
      plan(
        { address: "kafka_topic.a", mode: "managed", type: "kafka_topic", change: { actions: ["update"], before: topic(3), after: topic(6, "1000") } },
        { address: "kafka_topic.b", mode: "managed", type: "kafka_topic", change: { actions: ["create"], before: null, after: topic(3) } },
        { address: "docker_container.c", mode: "managed", type: "docker_container", change: { actions: ["delete", "create"], before: {}, after: {} } },
        { address: "kafka_topic.d", mode: "managed", type: "kafka_topic", change: { actions: ["no-op"], before: topic(3), after: topic(3) } },
      ),
    );
    expect(changes).toEqual([]);
  });

  it("reads a plan with no changes at all", () => {
    expect(destructiveChanges("topics", JSON.stringify({ format_version: "1.2" }))).toEqual([]);
  });
});

describe("the refusal", () => {
  it("names each resource, why it goes, what it holds and the two ways forward", () => {
    const change = { stack: "topics", address: "kafka_topic.t", type: "kafka_topic", name: "channel-stats", action: "replace", reason: "partitions 3 → 2" } as const;
    expect(lossLines([{ change, holds: "3 partition(s), 20000 message(s)" }])).toEqual([
      "  topic channel-stats (topics stack): would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions. It holds 3 partition(s), 20000 message(s).",
    ]);
    const message = refusalMessage([{ change, holds: "3 partition(s), 20000 message(s)" }]);
    expect(message).toContain("undo the change");
    expect(message).toContain("npm run deploy -- --allow-data-loss");
  });
});
