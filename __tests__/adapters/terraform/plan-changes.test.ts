import { describe, expect, it } from "vitest";
import { createsOnly, plannedChanges, readableLine } from "../../../lib/adapters/terraform/plan-changes";

/** A plan as `terraform show -json` prints it, with the resource changes given. */
const plan = (...changes: object[]) => JSON.stringify({ format_version: "1.2", resource_changes: changes });
const topic = (partitions: number, retention = "86400000") => ({
  name: "channel-stats",
  partitions,
  replication_factor: 1,
  config: { "retention.ms": retention },
});

describe("plannedChanges: a saved plan in the app's terms", () => {
  it("reads a topic replaced because its partitions went down, with the attribute that forces it", () => {
    const [change] = plannedChanges(
      "topics",
      plan({
        address: "kafka_topic.topic-channel-stats",
        mode: "managed",
        type: "kafka_topic",
        action_reason: "replace_because_cannot_update",
        change: { actions: ["delete", "create"], before: topic(3), after: topic(2), replace_paths: [["partitions"]] },
      }),
    );
    expect(change).toMatchObject({
      stack: "topics",
      kind: "topic",
      name: "channel-stats",
      action: "replace",
      imported: false,
      forcedBy: ["partitions"],
    });
    expect(change.before).toEqual(topic(3));
  });

  it("reads a volume no longer declared as a delete, with Terraform's reason in words", () => {
    const [change] = plannedChanges(
      "volumes",
      plan({
        address: "docker_volume.kafka2Data",
        mode: "managed",
        type: "docker_volume",
        action_reason: "delete_because_no_resource_config",
        change: { actions: ["delete"], before: { name: "chatbattle-kafka-2-data" }, after: null },
      }),
    );
    expect(change).toMatchObject({
      kind: "volume",
      name: "chatbattle-kafka-2-data",
      action: "delete",
      reason: "no longer declared",
    });
  });

  it("reads an import as an adoption, alone or with the change it brings", () => {
    const changes = plannedChanges(
      "topics",
      plan(
        {
          address: "kafka_topic.a",
          mode: "managed",
          type: "kafka_topic",
          change: { actions: ["no-op"], before: topic(3), after: topic(3), importing: { id: "a" } },
        },
        {
          address: "kafka_topic.b",
          mode: "managed",
          type: "kafka_topic",
          change: { actions: ["update"], before: topic(3), after: topic(3, "1000"), importing: { id: "b" } },
        },
        {
          address: "kafka_topic.c",
          mode: "managed",
          type: "kafka_topic",
          change: {
            actions: ["create", "delete"],
            before: topic(4),
            after: topic(3),
            importing: { id: "c" },
            replace_paths: [["partitions"]],
          },
        },
      ),
    );
    expect(changes.map((c) => [c.address, c.action, c.imported])).toEqual([
      ["kafka_topic.a", "adopt", true],
      ["kafka_topic.b", "update", true],
      ["kafka_topic.c", "replace", true],
    ]);
  });

  it("names every object of the app by its kind, and leaves out no-ops, reads and data sources", () => {
    const changes = plannedChanges(
      "x",
      plan(
        {
          address: "docker_container.c",
          mode: "managed",
          type: "docker_container",
          change: {
            actions: ["delete", "create"],
            before: { name: "chatbattle-kafka", image: "a" },
            after: { name: "chatbattle-kafka", image: "b" },
            replace_paths: [["image"]],
          },
        },
        {
          address: "docker_network.n",
          mode: "managed",
          type: "docker_network",
          change: { actions: ["create"], before: null, after: { name: "chatbattle-network" } },
        },
        {
          address: "docker_image.i",
          mode: "managed",
          type: "docker_image",
          change: { actions: ["update"], before: { name: "img" }, after: { name: "img" } },
        },
        {
          address: "terraform_data.apply-cql",
          mode: "managed",
          type: "terraform_data",
          change: { actions: ["delete", "create"], before: {}, after: {} },
        },
        {
          address: "kafka_topic.d",
          mode: "managed",
          type: "kafka_topic",
          change: { actions: ["no-op"], before: topic(3), after: topic(3) },
        },
        { address: "data.x.y", mode: "data", type: "x", change: { actions: ["read"] } },
        {
          address: "something_else.z",
          mode: "managed",
          type: "something_else",
          change: { actions: ["create"], after: {} },
        },
      ),
    );
    expect(changes.map((c) => [c.kind, c.name, c.action])).toEqual([
      ["container", "chatbattle-kafka", "replace"],
      ["network", "chatbattle-network", "create"],
      ["image", "img", "update"],
      ["schema-step", "terraform_data.apply-cql", "replace"],
      ["other", "something_else.z", "create"],
    ]);
  });

  it("reads a plan with no changes at all", () => {
    expect(plannedChanges("topics", JSON.stringify({ format_version: "1.2" }))).toEqual([]);
  });
});

describe("createsOnly: a plan that only creates or adopts, read from its own -json output", () => {
  const ui = (...lines: object[]) => lines.map((l) => JSON.stringify(l)).join("\n");
  const planned = (addr: string, action: string, importing?: object) => {
    const [type, name] = addr.split(".");
    return {
      type: "planned_change",
      change: {
        resource: { addr, resource_type: type, resource_name: name },
        action,
        ...(importing ? { importing } : {}),
      },
    };
  };
  const summary = (add: number, change: number, imported: number, remove: number) => ({
    type: "change_summary",
    changes: { add, change, import: imported, remove, operation: "plan" },
  });

  it("reads creates and imports, as Terraform 1.11 prints them", () => {
    const changes = createsOnly(
      "volumes",
      ui(
        { type: "version" },
        planned("docker_volume.cassandraData", "create"),
        planned("docker_volume.kafkaData", "import", { id: "chatbattle-kafka-data" }),
        summary(1, 0, 1, 0),
      ),
    );
    expect(changes).toEqual([
      {
        stack: "volumes",
        address: "docker_volume.cassandraData",
        kind: "volume",
        name: "cassandraData",
        action: "create",
        imported: false,
        forcedBy: [],
      },
      {
        stack: "volumes",
        address: "docker_volume.kafkaData",
        kind: "volume",
        name: "kafkaData",
        action: "adopt",
        imported: true,
        forcedBy: [],
      },
    ]);
  });

  it("says nothing (the saved plan must be read whole) when anything is changed or removed, or the output is not what it expects", () => {
    expect(createsOnly("t", ui(planned("kafka_topic.t", "update"), summary(0, 1, 0, 0)))).toBeUndefined();
    expect(createsOnly("t", ui(planned("kafka_topic.t", "replace"), summary(1, 0, 0, 1)))).toBeUndefined();
    expect(createsOnly("t", ui(planned("kafka_topic.t", "create")))).toBeUndefined();
    expect(createsOnly("t", ui(planned("kafka_topic.t", "create"), summary(2, 0, 0, 0)))).toBeUndefined();
    expect(createsOnly("t", "not json\n")).toBeUndefined();
  });

  it("keeps an error of the machine-readable output in words, with its detail", () => {
    const line = JSON.stringify({
      "@level": "error",
      "@message": "Error: Error acquiring the state lock",
      type: "diagnostic",
      diagnostic: {
        severity: "error",
        summary: "Error acquiring the state lock",
        detail: "Lock Info:\n  Who:       someone@elsewhere",
      },
    });
    expect(readableLine(line)).toBe(
      "Error: Error acquiring the state lock\nLock Info:\n  Who:       someone@elsewhere",
    );
    expect(readableLine("plain text")).toBe("plain text");
  });
});
