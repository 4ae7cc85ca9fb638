import { describe, expect, it } from "vitest";
import { formatTable } from "../lib/ops/table";
import { healthJson, renderHealth } from "../lib/ops/health-report";
import { topicDrift, type ServiceHealth } from "../lib/ops/health";
import { declaredTopics } from "../lib/topics";

const rows: ServiceHealth[] = [
  { service: "zookeeper", container: "chatbattle-zookeeper", state: "running", dockerHealth: "healthy", ready: true, detail: "srvr: mode standalone" },
  { service: "kafka", container: "chatbattle-kafka", state: "exited", dockerHealth: "unhealthy", ready: false, detail: "container is exited" },
];

describe("formatTable", () => {
  it("aligns columns to the widest cell and leaves no trailing spaces", () => {
    expect(formatTable(["A", "LONGER"], [["wide cell", "x"], ["y", ""]])).toBe("A          LONGER\nwide cell  x\ny");
  });

  it("prints only the header for no rows", () => {
    expect(formatTable(["TOPIC", "PARTITIONS"], [])).toBe("TOPIC  PARTITIONS");
  });
});

describe("health report", () => {
  it("renders one row per service with READY yes or NO", () => {
    expect(renderHealth(rows).split("\n")).toEqual([
      "SERVICE    CONTAINER             STATE    DOCKER     READY  DETAIL",
      "zookeeper  chatbattle-zookeeper  running  healthy    yes    srvr: mode standalone",
      "kafka      chatbattle-kafka      exited   unhealthy  NO     container is exited",
    ]);
  });

  it("gives scripts JSON that is healthy only when every service is ready", () => {
    expect(JSON.parse(healthJson(rows))).toEqual({ healthy: false, services: rows });
    expect(JSON.parse(healthJson([rows[0]])).healthy).toBe(true);
  });
});

describe("topicDrift", () => {
  const declared = declaredTopics({ replicationFactor: 1 }).find((t) => t.name === "channel-stats")!;
  const partitions = [0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }));

  it("finds nothing when the broker matches the declaration", () => {
    expect(topicDrift(declared, { name: declared.name, partitions, overrides: { ...declared.config } })).toEqual([]);
  });

  it("reports a missing topic, changed partitions, and changed, extra or dropped configs", () => {
    expect(topicDrift(declared, undefined)).toEqual(["channel-stats: missing"]);
    expect(
      topicDrift(declared, {
        name: declared.name,
        partitions: partitions.slice(0, 2),
        overrides: { "cleanup.policy": "compact", "retention.ms": "1000", "segment.ms": "60000" },
      }),
    ).toEqual([
      "channel-stats: 2 partitions (declared 3)",
      "channel-stats: retention.ms=1000 (declared 86400000)",
      "channel-stats: min.cleanable.dirty.ratio=(broker default) (declared 0.1)",
      "channel-stats: segment.ms=60000 (declared (broker default))",
    ]);
  });
});
