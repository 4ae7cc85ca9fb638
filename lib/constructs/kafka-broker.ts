import { Construct } from "constructs";
import type { Container } from "@cdktf/provider-docker/lib/container/index.js";
import { ServiceContainer } from "./service-container";
import { CONTAINER_NAMES } from "../stacks/names";
import { KAFKA_CONTAINER_EXTERNAL_PORT } from "../config/config";

/** Memory limit of the container: 512 MB heap plus page cache headroom and the healthcheck probe. */
export const KAFKA_MEMORY_MIB = 1024;

export interface KafkaBrokerProps {
  /** cp-kafka 7.9 compatible image (ZooKeeper mode). */
  readonly image: string;
  readonly networkName: string;
  readonly bindAddress: string;
  /** ZooKeeper connect string reachable on the network. */
  readonly zookeeperConnect: string;
  /** Host port for clients on this machine; advertised as localhost:<port>. */
  readonly externalPort: number;
  /** Listener port for containers on the network; advertised as kafka:<port>. */
  readonly internalPort: number;
  /** Volume for the log segments (/var/lib/kafka/data). */
  readonly dataVolumeName: string;
  /** ZooKeeper container, which must be healthy first. */
  readonly zookeeper: Container;
}

/**
 * A single Kafka broker in ZooKeeper mode with two listeners: PLAINTEXT for
 * containers on the network and PLAINTEXT_HOST for clients on this machine.
 */
export class KafkaBroker extends Construct {
  public readonly container: Container;
  /** Bootstrap servers for clients on this machine. */
  public readonly bootstrapServers: string;
  /** Bootstrap servers for containers on chatbattle-network. */
  public readonly internalBootstrapServers: string;

  constructor(scope: Construct, id: string, props: KafkaBrokerProps) {
    super(scope, id);
    this.bootstrapServers = `localhost:${props.externalPort}`;
    this.internalBootstrapServers = `kafka:${props.internalPort}`;

    this.container = new ServiceContainer(this, "service", {
      containerName: CONTAINER_NAMES.kafka,
      serviceName: "kafka",
      image: props.image,
      networkName: props.networkName,
      bindAddress: props.bindAddress,
      environment: {
        KAFKA_BROKER_ID: "1",
        KAFKA_ZOOKEEPER_CONNECT: props.zookeeperConnect,
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${props.internalPort},PLAINTEXT_HOST://0.0.0.0:${KAFKA_CONTAINER_EXTERNAL_PORT}`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${this.internalBootstrapServers},PLAINTEXT_HOST://${this.bootstrapServers}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT",
        KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
        // One broker: internal topics cannot have more replicas than brokers.
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        // Topics are declared by the topics stack; a typo in a client must not create one.
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        // The seed budgets ~512 MB for Kafka.
        KAFKA_HEAP_OPTS: "-Xms512m -Xmx512m",
      },
      ports: [
        { containerPort: KAFKA_CONTAINER_EXTERNAL_PORT, hostPort: props.externalPort },
        { containerPort: props.internalPort, hostPort: props.internalPort },
      ],
      volumes: [{ volumeName: props.dataVolumeName, containerPath: "/var/lib/kafka/data" }],
      // Probe through the network listener: it is advertised under a name that
      // resolves inside the container, whatever host port was chosen. The probe
      // is a JVM too: without its own small heap it would inherit the broker's
      // 512 MB and could push the container past its memory limit.
      healthcheck: {
        command: `KAFKA_HEAP_OPTS="-Xms32m -Xmx128m" kafka-broker-api-versions --bootstrap-server localhost:${props.internalPort} > /dev/null 2>&1`,
        intervalSeconds: 10,
        timeoutSeconds: 20,
        retries: 12,
        startPeriodSeconds: 20,
      },
      waitTimeoutSeconds: 300,
      // A clean shutdown writes the recovery checkpoints; a kill forces log recovery.
      stopGraceSeconds: 60,
      memoryMiB: KAFKA_MEMORY_MIB,
      dependsOn: [props.zookeeper],
    }).container;
  }
}
