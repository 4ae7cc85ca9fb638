import { describe, expect, it } from "vitest";
import { formatTable } from "../../lib/checks/table";
import { isTopicOverride } from "../../lib/adapters/kafka/kafka-admin";
import { healthJson, renderHealth } from "../../lib/checks/health-report";
import { quorumHealth, topicDrift, underReplicatedPartitions, type ServiceHealth } from "../../lib/checks/health";
import { declaredTopics } from "../../lib/topics";

const rows: ServiceHealth[] = [
  {
    service: "zookeeper",
    container: "chatbattle-zookeeper",
    state: "running",
    dockerHealth: "healthy",
    ready: true,
    detail: "srvr: mode standalone",
  },
  {
    service: "kafka",
    container: "chatbattle-kafka",
    state: "exited",
    dockerHealth: "unhealthy",
    ready: false,
    detail: "container is exited",
  },
];

describe("formatTable", () => {
  it("aligns columns to the widest cell and leaves no trailing spaces", () => {
    expect(
      formatTable(
        ["A", "LONGER"],
        [
          ["wide cell", "x"],
          ["y", ""],
        ],
      ),
    ).toBe("A          LONGER\nwide cell  x\ny");
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
  const partitions = [0, 1, 2].map((partition) => ({
    partition,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

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

describe("underReplicatedPartitions", () => {
  const partition = (n: number, isr: number[]) => ({
    partition: n,
    leader: isr[0],
    replicas: [1, 2, 3],
    isr,
    offlineReplicas: [],
  });

  it("names the lagging partitions per topic with how many replicas are in sync, and counts long lists", () => {
    const topics = [
      { name: "chat", partitions: [partition(0, [1, 2]), partition(1, [1, 2, 3]), partition(2, [2])], overrides: {} },
      { name: "stats", partitions: [partition(0, [1, 2, 3])], overrides: {} },
      {
        name: "__consumer_offsets",
        partitions: Array.from({ length: 50 }, (_, n) => partition(n, [1, 2])),
        overrides: {},
      },
    ];
    expect(underReplicatedPartitions(topics)).toEqual({
      count: 52,
      byTopic: ["chat 0,2 (2 of 3, 1 of 3 in sync)", "__consumer_offsets 50 partitions (2 of 3 in sync)"],
    });
  });

  it("finds none when every replica is in sync", () => {
    expect(underReplicatedPartitions([{ name: "chat", partitions: [partition(0, [1, 2, 3])], overrides: {} }])).toEqual(
      { count: 0, byTopic: [] },
    );
  });
});

describe("quorumHealth", () => {
  it("reads the leader, the voters (either listing) and the lag", () => {
    const json =
      'ClusterId: x\nLeaderId: 2\nLeaderEpoch: 3\nHighWatermark: 90\nMaxFollowerLag: 0\nMaxFollowerLagTimeMs: 0\nCurrentVoters: [{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://kafka:29999"]}, {"id": 2, "directoryId": null, "endpoints": ["CONTROLLER://kafka-2:29999"]}, {"id": 3, "directoryId": null, "endpoints": ["CONTROLLER://kafka-3:29999"]}]\nCurrentObservers: []';
    expect(quorumHealth(json, 3)).toEqual({ ready: true, detail: "leader 2, voters 1,2,3 of 3, max follower lag 0" });
    expect(quorumHealth("LeaderId: 1\nMaxFollowerLag: 4\nCurrentVoters: [1,2,3]\n", 3)).toEqual({
      ready: true,
      detail: "leader 1, voters 1,2,3 of 3, max follower lag 4",
    });
  });

  it("is not ready without a leader or an answer", () => {
    expect(quorumHealth("LeaderId: -1\nCurrentVoters: [1]\n", 1).ready).toBe(false);
    expect(quorumHealth("", 1)).toEqual({ ready: false, detail: "no quorum leader (no answer)" });
  });
});

describe("isTopicOverride", () => {
  it("counts only values set on the topic, whatever else is not the default", () => {
    // Kafka 4.3, seen here: min.insync.replicas comes as a cluster-wide dynamic default on every topic.
    expect(isTopicOverride({ isDefault: false, configSource: 3 })).toBe(false);
    expect(isTopicOverride({ isDefault: false, configSource: 4 })).toBe(false);
    expect(isTopicOverride({ isDefault: false, configSource: 1 })).toBe(true);
    expect(isTopicOverride({ isDefault: true, configSource: 5 })).toBe(false);
    // A broker that names no source: its isDefault.
    expect(isTopicOverride({ isDefault: false })).toBe(true);
  });
});
