import { describe, expect, it } from "vitest";
import { classifyChanges, consentId, type ClassifyContext } from "../../lib/gate/classify";
import { settled, type Finding } from "../../lib/gate/findings";
import type { PlannedChange } from "../../lib/gate/planned-change";
import { findingLine, planExitCode, planJson, planReport, refusalMessage } from "../../lib/gate/report";

const DAY = 86_400_000;
const context: ClassifyContext = {
  keyspace: "twitch_chat",
  topicDefaults: new Map([["t", { "retention.ms": String(7 * DAY), "cleanup.policy": "delete" }]]),
};
const change = (partial: Partial<PlannedChange> & Pick<PlannedChange, "kind" | "action" | "name">): PlannedChange => ({
  stack: partial.kind === "topic" ? "topics" : partial.kind === "volume" ? "volumes" : "kafka",
  address: `x.${partial.name}`,
  imported: false,
  forcedBy: [],
  ...partial,
});
const topic = (partitions: number, config: Record<string, string> = {}) => ({
  name: "t",
  partitions,
  replication_factor: 1,
  config,
});
const judge = (changes: PlannedChange[], ctx: ClassifyContext = context) => classifyChanges(changes, ctx);

describe("classifyChanges: the one classification of every change", () => {
  it("a topic replaced for fewer partitions loses its records, and says why in Kafka's terms", () => {
    const [finding] = judge([
      change({
        kind: "topic",
        name: "t",
        action: "replace",
        before: topic(3),
        after: topic(2),
        forcedBy: ["partitions"],
      }),
    ]);
    expect(finding).toMatchObject({
      class: "loses-data",
      subject: "topic t",
      loss: { kind: "topic-records", topic: "t" },
    });
    expect(finding.change).toBe(
      "would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions",
    );
  });

  it("a topic adopted after the state was lost, that the declaration would replace, loses its records and says it was adopted", () => {
    const [finding] = judge([
      change({
        kind: "topic",
        name: "t",
        action: "replace",
        imported: true,
        before: topic(3),
        after: topic(2),
        forcedBy: ["partitions"],
      }),
    ]);
    expect(finding.class).toBe("loses-data");
    expect(finding.change).toMatch(
      /^exists but no state recorded it, so it is adopted, and then would be deleted and created again, empty/,
    );
  });

  it("a topic no longer declared loses its records", () => {
    expect(
      judge([change({ kind: "topic", name: "t", action: "delete", before: topic(3), reason: "no longer declared" })]),
    ).toMatchObject([{ class: "loses-data", change: "would be deleted, because no longer declared" }]);
  });

  it("more partitions and a raised retention are safe; a lowered retention in the same change loses data", () => {
    const found = judge([
      change({
        kind: "topic",
        name: "t",
        action: "update",
        before: topic(3, { "retention.ms": String(DAY) }),
        after: topic(4, { "retention.ms": "3600000" }),
      }),
    ]);
    expect(found.map((f) => [f.class, f.change.split(":")[0]])).toEqual([
      ["safe", "partitions 3 → 4"],
      ["loses-data", "retention.ms 86400000 (1 day) → 3600000 (1 hour)"],
    ]);
  });

  it("an adopted shared-cluster topic whose retention the declaration lowers loses data", () => {
    const found = judge([
      change({
        kind: "topic",
        name: "t",
        action: "update",
        imported: true,
        before: topic(3, { "retention.ms": String(30 * DAY) }),
        after: topic(3, { "retention.ms": String(7 * DAY) }),
      }),
    ]);
    expect(found).toMatchObject([{ class: "loses-data", loss: { kind: "topic-older-than", retentionMs: 7 * DAY } }]);
  });

  it("a volume deleted or replaced loses its files; one adopted or created is safe", () => {
    const found = judge([
      change({ kind: "volume", name: "v1", action: "delete", reason: "no longer declared" }),
      change({
        kind: "volume",
        name: "v2",
        action: "replace",
        before: { driver: "local" },
        after: { driver: "x" },
        forcedBy: ["driver"],
      }),
      change({ kind: "volume", name: "v3", action: "adopt" }),
      change({ kind: "volume", name: "v4", action: "create" }),
    ]);
    expect(found.map((f) => [f.subject, f.class])).toEqual([
      ["volume v1", "loses-data"],
      ["volume v2", "loses-data"],
      ["volume v3", "safe"],
      ["volume v4", "safe"],
    ]);
    expect(found[1].change).toBe("would be deleted and created again, empty, because driver local → x");
  });

  it("a container replaced restarts its service; a network replaced restarts every container on it", () => {
    const found = judge([
      change({
        kind: "container",
        name: "chatbattle-kafka",
        action: "replace",
        before: { image: "sha256:a" },
        after: { image: "sha256:b" },
        forcedBy: ["image"],
      }),
      change({ kind: "network", name: "chatbattle-network", action: "replace", reason: "marked tainted" }),
      change({ kind: "container", name: "chatbattle-cassandra", action: "create" }),
    ]);
    expect(found.map((f) => f.class)).toEqual(["restarts", "restarts", "safe"]);
    expect(found[0].change).toBe(
      "is replaced, because image sha256:a → sha256:b: its service is down until the new container is healthy",
    );
  });

  it("the schema step: each statement that deletes data on its own, with its consent id; the others per file", () => {
    const pendingCql = [
      {
        file: "003_changes.cql",
        index: 0,
        line: 2,
        text: "ALTER TABLE twitch_chat.raw_chat_messages DROP emotes",
        checksum: "a".repeat(64),
      },
      {
        file: "003_changes.cql",
        index: 1,
        line: 4,
        text: "CREATE TABLE twitch_chat.x (a text PRIMARY KEY)",
        checksum: "b".repeat(64),
      },
    ];
    const found = judge([change({ kind: "schema-step", name: "apply-cql", action: "replace", stack: "schema" })], {
      ...context,
      pendingCql,
    });
    expect(found).toMatchObject([
      {
        class: "loses-data",
        subject: "cql/003_changes.cql statement 1 (line 2)",
        change:
          "ALTER TABLE twitch_chat.raw_chat_messages DROP emotes: drops column emotes of twitch_chat.raw_chat_messages with its values",
        consent: "003_changes.cql#1@aaaaaaaaaaaa",
      },
      { class: "safe", subject: "cql/003_changes.cql" },
    ]);
    expect(consentId(pendingCql[0])).toBe("003_changes.cql#1@aaaaaaaaaaaa");
  });

  it("the schema step when Cassandra could not say what it would run: safe here, and the step checks for itself", () => {
    expect(
      judge([change({ kind: "schema-step", name: "apply-cql", action: "create", stack: "schema" })], { keyspace: "k" }),
    ).toMatchObject([{ class: "safe", change: expect.stringContaining("checks them itself before it runs them") }]);
  });

  it("a loss whose target turns out to hold nothing becomes safe", () => {
    const [finding] = judge([change({ kind: "topic", name: "t", action: "delete", reason: "no longer declared" })]);
    expect(
      settled({
        ...finding,
        measured: { text: "It holds 3 partition(s), 0 message(s).", records: 0, exact: true, holdsNothing: true },
      }).class,
    ).toBe("safe");
    expect(
      settled({ ...finding, measured: { text: "It holds 3 partition(s), 5 message(s).", records: 5, exact: true } })
        .class,
    ).toBe("loses-data");
  });
});

describe("the gate's words", () => {
  const lost: Finding = {
    class: "loses-data",
    stack: "topics",
    subject: "topic channel-stats",
    change:
      "would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions",
    measured: { text: "It holds 3 partition(s), 20000 message(s).", records: 20000, exact: true },
  };
  const restart: Finding = {
    class: "restarts",
    stack: "kafka",
    subject: "container chatbattle-kafka",
    change: "is replaced, because image a → b: its service is down until the new container is healthy",
  };

  it("a refusal names each loss, what it holds and the two ways forward", () => {
    expect(findingLine(lost)).toBe(
      "  topic channel-stats (topics stack): would be deleted and created again, empty, because partitions 3 → 2; Kafka cannot lower a topic's partitions. It holds 3 partition(s), 20000 message(s).",
    );
    const message = refusalMessage([lost, restart], {
      command: "deploy",
      held: "applied nothing of it",
      undo: "undo the change",
      allow: "npm run deploy -- --allow-data-loss",
    });
    expect(message.split("\n")).toEqual([
      "deploy: refused: this would lose data, so it applied nothing of it:",
      findingLine(lost),
      "Ways forward:",
      "  - undo the change; or",
      "  - lose exactly this, deliberately: npm run deploy -- --allow-data-loss",
      "(npm run plan shows everything a deploy would do; npm run reset deletes all data and state.)",
    ]);
  });

  it("npm run plan's report and JSON, and exit 3 only when something would be lost", () => {
    const plans = [
      { stack: "kafka", how: "planned" as const, findings: [restart] },
      { stack: "topics", how: "planned" as const, findings: [lost] },
      { stack: "schema", how: "planned" as const, findings: [] },
    ];
    const report = planReport(plans);
    expect(report).toContain("topics  LOSES DATA:");
    expect(report).toContain("kafka   restarts a service:");
    expect(report).toContain("schema  no change");
    expect(report.at(-1)).toBe(
      "plan: 1 change(s) lose data, 1 restart a service, 0 safe. npm run deploy refuses this; npm run deploy -- --allow-data-loss applies exactly this.",
    );
    expect(planExitCode(plans)).toBe(3);
    expect(planExitCode([plans[0], plans[2]])).toBe(0);
    expect(planJson(plans)).toMatchObject({
      losesData: true,
      complete: true,
      summary: { "loses-data": 1, restarts: 1, safe: 0 },
      stacks: [
        { stack: "kafka" },
        { stack: "topics", changes: [{ class: "loses-data", lost: { records: 20000, exact: true } }] },
        { stack: "schema", changes: [] },
      ],
    });
  });
});

describe("reasons stay readable", () => {
  it("names the attributes forcing a replacement when their values are many or long", () => {
    const [finding] = classifyChanges(
      [
        change({
          kind: "container",
          name: "chatbattle-kafka",
          action: "replace",
          imported: true,
          before: { image: "sha256:abc", env: [] },
          after: { image: null, env: ["A=1", "B=2"], ports: [{ external: 9092 }], log_opts: { "max-file": "3" } },
          forcedBy: ["image", "env", "ports.0.external", "ports.1.ip", "log_opts"],
        }),
      ],
      context,
    );
    expect(finding.change).toBe(
      "exists but no state recorded it, so it is adopted, and then is replaced, because env, image, log_opts, ports changed: its service is down until the new container is healthy",
    );
  });
});
