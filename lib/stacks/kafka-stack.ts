import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { CONTAINER_NAMES, NETWORK_NAME, STACK_NAMES, VOLUME_NAMES } from "../names";
import { ZooKeeper } from "../constructs/zookeeper";
import { KafkaBroker } from "../constructs/kafka-broker";
import type { ChatBattleConfig } from "../config/config";

/** ZooKeeper, then the Kafka broker as soon as ZooKeeper's container runs; the broker waits for ZooKeeper itself. */
export class KafkaStack extends DockerStack {
  public readonly zookeeper: ZooKeeper;
  public readonly broker: KafkaBroker;

  constructor(scope: Construct, config: ChatBattleConfig) {
    super(scope, STACK_NAMES.kafka);
    const published = { networkName: NETWORK_NAME, bindAddress: config.bindAddress, clientHost: config.clientHost };
    this.zookeeper = new ZooKeeper(this, "zookeeper", {
      ...published,
      containerName: CONTAINER_NAMES.zookeeper,
      image: config.images.zookeeper,
      hostPorts: { client: config.ports.zookeeper },
      dataVolumeName: VOLUME_NAMES.zookeeperData,
      logVolumeName: VOLUME_NAMES.zookeeperLogs,
    });
    this.broker = new KafkaBroker(this, "kafka", {
      ...published,
      containerName: CONTAINER_NAMES.kafka,
      image: config.images.kafka,
      hostPorts: { external: config.ports.kafkaExternal, internal: config.ports.kafkaInternal },
      zookeeperConnect: this.zookeeper.connectString,
      dataVolumeName: VOLUME_NAMES.kafkaData,
      zookeeper: this.zookeeper.container,
    });
  }
}
