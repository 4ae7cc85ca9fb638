import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config/config";
import { localImages, localTopology } from "../../lib/topology/local-topology";
import { kafkaClientTarget } from "../../lib/topology/connections";

const topology = (env: Record<string, string> = {}) => localTopology(parseConfig(env));

describe("localTopology: what the local stack runs, from the configuration alone", () => {
  it("runs the seed's three services under the seed's names, in start order, with their ports, volumes and endpoints", () => {
    const t = topology();
    expect(t.services.map((s) => [s.name, s.container, s.alias, s.endpoint])).toEqual([
      ["zookeeper", "chatbattle-zookeeper", "zookeeper", "127.0.0.1:2181"],
      ["kafka", "chatbattle-kafka", "kafka", "127.0.0.1:9092"],
      ["cassandra", "chatbattle-cassandra", "cassandra", "127.0.0.1:9042"],
    ]);
    expect(t.services.flatMap((s) => s.ports.map((p) => `${p.hostPort}->${p.containerPort} ${p.setting}`))).toEqual([
      "2181->2181 ZOOKEEPER_PORT",
      "9092->9092 KAFKA_EXTERNAL_PORT",
      "29092->29092 KAFKA_INTERNAL_PORT",
      "9042->9042 CASSANDRA_CQL_PORT",
      "7000->7000 CASSANDRA_INTERNODE_PORT",
      "7001->7001 CASSANDRA_INTERNODE_TLS_PORT",
    ]);
    expect(t.volumes.map((v) => `${v.id} ${v.name} ${v.path}`)).toEqual([
      "zookeeperData chatbattle-zookeeper-data /var/lib/zookeeper/data",
      "zookeeperLogs chatbattle-zookeeper-logs /var/lib/zookeeper/log",
      "kafkaData chatbattle-kafka-data /var/lib/kafka/data",
      "cassandraData chatbattle-cassandra-data /var/lib/cassandra",
    ]);
    expect(t).toMatchObject({
      network: "chatbattle-network",
      kafkaBrokers: ["127.0.0.1:9092"],
      zookeeper: "127.0.0.1:2181",
      cassandra: { contactPoint: "127.0.0.1:9042", datacenter: "dc1" },
    });
  });

  it("counts the memory of ZooKeeper only in zookeeper mode, and of every broker", () => {
    expect(topology().memoryMiB).toBe(3584);
    expect(topology({ KAFKA_MODE: "kraft" }).memoryMiB).toBe(3072);
    expect(topology({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" }).memoryMiB).toBe(5120);
  });

  it("runs three brokers in KRaft mode with their own ports and volumes, and no ZooKeeper", () => {
    const t = topology({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3", KAFKA_2_EXTERNAL_PORT: "9193" });
    expect(t.services.map((s) => s.container)).toEqual([
      "chatbattle-kafka",
      "chatbattle-kafka-2",
      "chatbattle-kafka-3",
      "chatbattle-cassandra",
    ]);
    expect(t.kafkaBrokers).toEqual(["127.0.0.1:9092", "127.0.0.1:9193", "127.0.0.1:9094"]);
    expect(t.zookeeper).toBeUndefined();
    expect(t.volumes.map((v) => v.name)).toEqual([
      "chatbattle-kafka-data",
      "chatbattle-kafka-2-data",
      "chatbattle-kafka-3-data",
      "chatbattle-cassandra-data",
    ]);
  });

  it("gives clients on this machine the address they reach a published port at: loopback for a wildcard bind, brackets for IPv6", () => {
    expect(topology({ BIND_ADDRESS: "0.0.0.0" }).kafkaBrokers).toEqual(["127.0.0.1:9092"]);
    expect(topology({ BIND_ADDRESS: "::" }).cassandra.contactPoint).toBe("[::1]:9042");
  });

  it("names each image once, with the setting it comes from", () => {
    expect(localImages(topology({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" }).services).map((i) => i.setting)).toEqual([
      "KAFKA_KRAFT_IMAGE",
      "CASSANDRA_IMAGE",
    ]);
  });

  it("is where the app's Kafka clients are pointed on the local target", () => {
    expect(kafkaClientTarget(parseConfig({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" }), {}).brokers).toEqual(
      topology({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" }).kafkaBrokers,
    );
  });
});
