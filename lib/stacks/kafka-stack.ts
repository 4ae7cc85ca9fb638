import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { NETWORK_NAME, STACK_NAMES, VOLUME_NAMES } from "./names";
import { ZooKeeper } from "../constructs/zookeeper";
import { KafkaBroker } from "../constructs/kafka-broker";
import type { ChatBattleConfig } from "../config/config";

/** ZooKeeper, then the Kafka broker once ZooKeeper is healthy. */
export class KafkaStack extends DockerStack {
  public readonly broker: KafkaBroker;

  constructor(scope: Construct, config: ChatBattleConfig) {
    super(scope, STACK_NAMES.kafka);
    const zookeeper = new ZooKeeper(this, "zookeeper", {
      image: config.images.zookeeper,
      networkName: NETWORK_NAME,
      bindAddress: config.bindAddress,
      hostPort: config.ports.zookeeper,
      dataVolumeName: VOLUME_NAMES.zookeeperData,
      logVolumeName: VOLUME_NAMES.zookeeperLogs,
    });
    this.broker = new KafkaBroker(this, "kafka", {
      image: config.images.kafka,
      networkName: NETWORK_NAME,
      bindAddress: config.bindAddress,
      zookeeperConnect: zookeeper.connectString,
      externalPort: config.ports.kafkaExternal,
      internalPort: config.ports.kafkaInternal,
      dataVolumeName: VOLUME_NAMES.kafkaData,
      zookeeper: zookeeper.container,
    });
  }
}
