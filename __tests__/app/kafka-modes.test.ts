import { describe, expect, it } from "vitest";
import { containersByName, envOf, synthesize, type StackJson } from "../../test-support/synth";
import { KRAFT_CLUSTER_ID } from "../../lib/names";

const MODES = [
  ["zookeeper", "1"],
  ["zookeeper", "3"],
  ["kraft", "1"],
  ["kraft", "3"],
] as const;

const BROKER_CONTAINERS = ["chatbattle-kafka", "chatbattle-kafka-2", "chatbattle-kafka-3"];
const volumesOf = (stack: StackJson) =>
  Object.values(stack.resource.docker_volume as Record<string, { name: string }>)
    .map((v) => v.name)
    .sort();

describe.each(MODES)("KAFKA_MODE=%s with KAFKA_BROKERS=%s", (mode, count) => {
  const brokers = Number(count);
  const synth = synthesize({ KAFKA_MODE: mode, KAFKA_BROKERS: count, KAFKA_TOPIC_REPLICATION_FACTOR: count });
  const containers = containersByName(synth.stacks.kafka);
  const brokerNames = BROKER_CONTAINERS.slice(0, brokers);

  it("runs one container per broker, and ZooKeeper only in zookeeper mode", () => {
    expect(Object.keys(containers).sort()).toEqual(
      [...(mode === "zookeeper" ? ["chatbattle-zookeeper"] : []), ...brokerNames].sort(),
    );
  });

  it("gives each broker its own volume, and ZooKeeper's volumes only in zookeeper mode", () => {
    expect(volumesOf(synth.stacks.volumes)).toEqual(
      [
        "chatbattle-cassandra-data",
        ...(mode === "zookeeper" ? ["chatbattle-zookeeper-data", "chatbattle-zookeeper-logs"] : []),
        ...brokerNames.map((n) => `${n}-data`),
      ].sort(),
    );
    for (const name of brokerNames)
      expect(containers[name].volumes).toEqual([
        { volume_name: `${name}-data`, container_path: "/var/lib/kafka/data" },
      ]);
  });

  it("publishes each broker's own two ports on 127.0.0.1, counting up from 9092 and 29092", () => {
    brokerNames.forEach((name, i) => {
      expect(containers[name].ports.map((p: StackJson) => [p.ip, p.internal, p.external])).toEqual([
        ["127.0.0.1", 9092 + i, 9092 + i],
        ["127.0.0.1", 29092 + i, 29092 + i],
      ]);
    });
  });

  it("names each broker on the network and advertises its listeners under that name and the client host", () => {
    brokerNames.forEach((name, i) => {
      const alias = i === 0 ? "kafka" : `kafka-${i + 1}`;
      expect(containers[name].networks_advanced[0].aliases).toEqual([alias]);
      expect(envOf(containers[name]).KAFKA_ADVERTISED_LISTENERS).toBe(
        `PLAINTEXT://${alias}:${29092 + i},PLAINTEXT_HOST://127.0.0.1:${9092 + i}`,
      );
    });
  });

  it("replicates the internal topics over up to three brokers", () => {
    for (const name of brokerNames) {
      const env = envOf(containers[name]);
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(String(brokers));
      expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe(String(Math.min(2, brokers)));
    }
  });

  it("gives the topics every broker to bootstrap from, and replication up to the broker count", () => {
    expect(synth.stacks.topics.provider.kafka[0].bootstrap_servers).toEqual(
      brokerNames.map((_, i) => `127.0.0.1:${9092 + i}`),
    );
    for (const topic of Object.values(synth.stacks.topics.resource.kafka_topic) as StackJson[])
      expect(topic.replication_factor).toBe(brokers);
  });

  if (mode === "zookeeper") {
    it("registers every broker in ZooKeeper under its own id, each created after ZooKeeper's container", () => {
      brokerNames.forEach((name, i) => {
        const env = envOf(containers[name]);
        expect(env.KAFKA_BROKER_ID).toBe(String(i + 1));
        expect(env.KAFKA_ZOOKEEPER_CONNECT).toBe("zookeeper:2181");
        expect(env.KAFKA_PROCESS_ROLES).toBeUndefined();
        expect(containers[name].depends_on).toEqual([
          expect.stringContaining("docker_container.zookeeper_service_container"),
        ]);
      });
    });
  } else {
    it("makes every broker a controller of one quorum with one fixed cluster id, on a port that is never published", () => {
      const voters = brokerNames.map((_, i) => `${i + 1}@${i === 0 ? "kafka" : `kafka-${i + 1}`}:29999`).join(",");
      brokerNames.forEach((name, i) => {
        const env = envOf(containers[name]);
        expect(env).toMatchObject({
          CLUSTER_ID: KRAFT_CLUSTER_ID,
          KAFKA_NODE_ID: String(i + 1),
          KAFKA_PROCESS_ROLES: "broker,controller",
          KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
          KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        });
        expect(env.KAFKA_LISTENERS).toMatch(/,CONTROLLER:\/\/0\.0\.0\.0:29999$/);
        expect(env.KAFKA_ZOOKEEPER_CONNECT).toBeUndefined();
        expect(env.KAFKA_BROKER_ID).toBeUndefined();
        expect(containers[name].depends_on).toBeUndefined();
        expect(containers[name].ports.map((p: StackJson) => p.internal)).not.toContain(29999);
      });
    });
  }

  it("matches the snapshot", () => {
    expect(synth.texts.kafka).toMatchSnapshot("kafka");
    expect(synth.texts.volumes).toMatchSnapshot("volumes");
  });
});

describe("the default", () => {
  it("is the seed's: ZooKeeper mode, one broker, the same synthesized stacks as before these settings", () => {
    const plain = synthesize({});
    const explicit = synthesize({ KAFKA_MODE: "zookeeper", KAFKA_BROKERS: "1" });
    expect(explicit.texts).toEqual(plain.texts);
  });
});
