import { Construct } from "constructs";
import type { Container } from "@cdktf/provider-docker/lib/container/index.js";
import { ServiceContainer, type ServiceProps } from "./service-container";
import { joinHostPort } from "../endpoint";

/** Memory limit of the container: 512 MB heap plus page cache headroom and the healthcheck probe. */
export const KAFKA_MEMORY_MIB = 1024;

export interface KafkaBrokerProps extends ServiceProps<"external" | "internal"> {
  /** ZooKeeper connect string reachable on the network. */
  readonly zookeeperConnect: string;
  /** Volume for the log segments (/var/lib/kafka/data). */
  readonly dataVolumeName: string;
  /**
   * The ZooKeeper container: created first and destroyed last, so that the
   * broker deregisters before ZooKeeper stops. Otherwise its registration
   * outlives it, and the next start waits for that session to time out.
   */
  readonly zookeeper: Container;
}

/** How long the broker waits for ZooKeeper at start-up before it gives up. */
export const ZOOKEEPER_CONNECTION_TIMEOUT_MS = 60_000;

/**
 * A single Kafka broker in ZooKeeper mode with two listeners: PLAINTEXT for
 * containers on the network (kafka:<internal>) and PLAINTEXT_HOST for clients
 * on this machine (<client host>:<external>). Inside the container each
 * listener uses the same port number as on the host, so the two can never
 * collide: the host ports are distinct.
 *
 * It starts once the ZooKeeper container runs, not once ZooKeeper is
 * healthy: the broker itself waits for ZooKeeper (up to a minute), which takes
 * the two JVMs' start-ups off each other's path. The deploy waits until the
 * broker is healthy, which it cannot be without ZooKeeper.
 */
export class KafkaBroker extends Construct {
  public readonly container: Container;
  /** Bootstrap servers for clients on this machine, e.g. 127.0.0.1:9092. */
  public readonly bootstrapServers: string;
  /** Bootstrap servers for containers on the network, e.g. kafka:29092. */
  public readonly internalBootstrapServers: string;

  constructor(scope: Construct, id: string, props: KafkaBrokerProps) {
    super(scope, id);
    const { external, internal } = props.hostPorts;
    this.bootstrapServers = joinHostPort(props.clientHost, external);
    this.internalBootstrapServers = `kafka:${internal}`;

    this.container = new ServiceContainer(this, "service", {
      containerName: props.containerName,
      serviceName: "kafka",
      image: props.image,
      networkName: props.networkName,
      bindAddress: props.bindAddress,
      environment: {
        KAFKA_BROKER_ID: "1",
        KAFKA_ZOOKEEPER_CONNECT: props.zookeeperConnect,
        KAFKA_ZOOKEEPER_CONNECTION_TIMEOUT_MS: String(ZOOKEEPER_CONNECTION_TIMEOUT_MS),
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${internal},PLAINTEXT_HOST://0.0.0.0:${external}`,
        // A client on this machine is told to come back where it reached the broker.
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
        { containerPort: external, hostPort: external },
        { containerPort: internal, hostPort: internal },
      ],
      volumes: [{ volumeName: props.dataVolumeName, containerPath: "/var/lib/kafka/data" }],
      // Ready: through the network listener (advertised under a name that
      // resolves inside the container, whatever the client host is), the tool
      // waits until the broker lists itself in its metadata: registered, its
      // controller known. It is a JVM: without its own small heap it would
      // inherit the broker's 512 MB and could pass the memory limit. Alive: the
      // listener accepts connections (bash's /dev/tcp; no client needed).
      healthcheck: {
        alive: `bash -c '</dev/tcp/127.0.0.1/${internal}'`,
        ready: `KAFKA_HEAP_OPTS="-Xms32m -Xmx128m" kafka-broker-api-versions --bootstrap-server localhost:${internal} > /dev/null 2>&1`,
        intervalSeconds: 2,
        timeoutSeconds: 60,
        retries: 5,
        startPeriodSeconds: 30,
      },
      // A clean shutdown writes the recovery checkpoints; a kill forces log recovery.
      stopGraceSeconds: 60,
      memoryMiB: KAFKA_MEMORY_MIB,
      dependsOn: [props.zookeeper],
    }).container;
  }
}
