import type { Construct } from "constructs";
import { DockerStack } from "./docker-stack";
import { STACK_NAMES } from "../names";
import { ZooKeeper } from "../constructs/zookeeper";
import { KafkaBroker, type KafkaBrokerProps } from "../constructs/kafka-broker";
import {
  KRAFT_CLUSTER_ID,
  KRAFT_CONTROLLER_PORT,
  kraftQuorumVoters,
  type LocalTopology,
} from "../topology/local-topology";
import { serviceProps } from "./service-props";

export interface KafkaStackProps {
  /** What the local stack runs: ZooKeeper (in ZooKeeper mode) and the brokers are read from it. */
  readonly topology: LocalTopology;
  /** Host address the published ports listen on. */
  readonly bindAddress: string;
}

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

  constructor(scope: Construct, props: KafkaStackProps) {
    super(scope, STACK_NAMES.kafka);
    const { topology, bindAddress } = props;
    const zookeeper = topology.services.find((s) => s.name === "zookeeper");
    const brokers = topology.services.filter((s) => s.name === "kafka");
    let coordination: KafkaBrokerProps["coordination"];
    if (zookeeper) {
      this.zookeeper = new ZooKeeper(this, "zookeeper", {
        ...serviceProps<"client">(topology, zookeeper, bindAddress),
        dataVolumeName: zookeeper.volumes[0].name,
        logVolumeName: zookeeper.volumes[1].name,
      });
      coordination = { mode: "zookeeper", connect: this.zookeeper.connectString, container: this.zookeeper.container };
    } else {
      coordination = {
        mode: "kraft",
        clusterId: KRAFT_CLUSTER_ID,
        quorumVoters: kraftQuorumVoters(topology),
        controllerPort: KRAFT_CONTROLLER_PORT,
      };
    }
    // Construct ids are a contract: broker 1 keeps the id "kafka" it always had.
    this.brokers = brokers.map(
      (broker) =>
        new KafkaBroker(this, broker.broker === 1 ? "kafka" : `kafka-${broker.broker}`, {
          ...serviceProps<"external" | "internal">(topology, broker, bindAddress),
          nodeId: broker.broker!,
          networkAlias: broker.alias,
          clusterSize: brokers.length,
          dataVolumeName: broker.volumes[0].name,
          coordination,
        }),
    );
  }
}
