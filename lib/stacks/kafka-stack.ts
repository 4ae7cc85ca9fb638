import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { brokerNames, CONTAINER_NAMES, KRAFT_CLUSTER_ID, NETWORK_NAME, STACK_NAMES, VOLUME_NAMES } from "../names";
import { ZooKeeper } from "../constructs/zookeeper";
import { KafkaBroker, type KafkaBrokerProps } from "../constructs/kafka-broker";
import { brokerHostPorts, KRAFT_CONTROLLER_PORT, type ChatBattleConfig } from "../config/config";

/**
 * The local Kafka: in ZooKeeper mode, ZooKeeper and then the brokers as soon
 * as ZooKeeper's container runs (the brokers wait for ZooKeeper themselves);
 * in KRaft mode the brokers alone, all at once, each its own controller.
 */
export class KafkaStack extends DockerStack {
  /** Undefined in KRaft mode. */
  public readonly zookeeper?: ZooKeeper;
  /** Broker 1 first. */
  public readonly brokers: readonly KafkaBroker[];

  constructor(scope: Construct, config: ChatBattleConfig) {
    super(scope, STACK_NAMES.kafka);
    const published = { networkName: NETWORK_NAME, bindAddress: config.bindAddress, clientHost: config.clientHost };
    const ports = brokerHostPorts(config);
    let coordination: KafkaBrokerProps["coordination"];
    if (config.kafka.mode === "zookeeper") {
      this.zookeeper = new ZooKeeper(this, "zookeeper", {
        ...published,
        containerName: CONTAINER_NAMES.zookeeper,
        image: config.images.zookeeper,
        hostPorts: { client: config.ports.zookeeper },
        dataVolumeName: VOLUME_NAMES.zookeeperData,
        logVolumeName: VOLUME_NAMES.zookeeperLogs,
      });
      coordination = { mode: "zookeeper", connect: this.zookeeper.connectString, container: this.zookeeper.container };
    } else {
      coordination = {
        mode: "kraft",
        clusterId: KRAFT_CLUSTER_ID,
        quorumVoters: ports.map((_, i) => `${i + 1}@${brokerNames(i + 1).alias}:${KRAFT_CONTROLLER_PORT}`).join(","),
        controllerPort: KRAFT_CONTROLLER_PORT,
      };
    }
    // Construct ids are a contract: broker 1 keeps the id "kafka" it always had.
    this.brokers = ports.map((hostPorts, i) => {
      const names = brokerNames(i + 1);
      return new KafkaBroker(this, i === 0 ? "kafka" : `kafka-${i + 1}`, {
        ...published,
        nodeId: i + 1,
        containerName: names.container,
        networkAlias: names.alias,
        clusterSize: ports.length,
        image: config.images.kafka,
        hostPorts,
        dataVolumeName: names.volume,
        coordination,
      });
    });
  }

  /** Bootstrap servers for clients on this machine: every broker. */
  get bootstrapServers(): string[] {
    return this.brokers.map((b) => b.bootstrapServers);
  }
}
