import { Construct } from "constructs";
import type { Container } from "@cdktf/provider-docker/lib/container/index.js";
import { ServiceContainer, type ServiceProps } from "./service-container";

/**
 * A shell check that the broker on `port` answers a Metadata request (v4,
 * which Kafka 1.0 to 4.x all accept) naming at least one broker: the request
 * is written as bytes (size 15; API key 3, version 4, correlation id 1, no
 * client id; all topics, no auto-creation) and bytes 12-15 of the answer
 * (after size, correlation id and throttle time) are the broker count. A
 * broker that accepts but does not answer yet fails after 2 s.
 */
export function kafkaMetadataProbe(port: number): string {
  const request = "\\x00\\x00\\x00\\x0f\\x00\\x03\\x00\\x04\\x00\\x00\\x00\\x01\\xff\\xff\\xff\\xff\\xff\\xff\\x00";
  return (
    `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "${request}" >&3 && ` +
    `n=$(timeout 2 head -c 16 <&3 | od -An -j12 -N4 -tx1 | tr -d " \\n") && case "$n" in 00000000) false;; ????????) true;; *) false;; esac'`
  );
}

/** Brokers coordinated by ZooKeeper, as the seed runs them. */
export interface ZooKeeperCoordination {
  readonly mode: "zookeeper";
  /** ZooKeeper connect string reachable on the network. */
  readonly connect: string;
  /**
   * The ZooKeeper container: created first and destroyed last, so that the
   * broker deregisters before ZooKeeper stops. Otherwise its registration
   * outlives it, and the next start waits for that session to time out.
   */
  readonly container: Container;
}

/** Brokers that are their own controllers (KRaft): every broker votes in the metadata quorum. */
export interface KraftCoordination {
  readonly mode: "kraft";
  /**
   * The cluster's id. The data volume is formatted with it on its first
   * start only (cp-kafka formats with --ignore-formatted), so it must stay
   * the same for the volume's life: a constant, not generated per deploy.
   */
  readonly clusterId: string;
  /** id@host:port of every controller, e.g. 1@kafka:29999,2@kafka-2:29999. */
  readonly quorumVoters: string;
  /** The controller listener's port inside the container; never published. */
  readonly controllerPort: number;
}

export interface KafkaBrokerProps extends ServiceProps<"external" | "internal"> {
  /** broker.id / node.id, from 1. */
  readonly nodeId: number;
  /** Name other containers on the network reach it by: kafka, kafka-2, … */
  readonly networkAlias: string;
  /** Brokers in the cluster: the internal topics get as many replicas, at most 3. */
  readonly clusterSize: number;
  /** Volume for the log segments (/var/lib/kafka/data). */
  readonly dataVolumeName: string;
  readonly coordination: ZooKeeperCoordination | KraftCoordination;
}

/** How long the broker waits for ZooKeeper at start-up before it gives up. */
export const ZOOKEEPER_CONNECTION_TIMEOUT_MS = 60_000;

/**
 * A Kafka broker with two listeners: PLAINTEXT for containers on the network
 * (<alias>:<internal>) and PLAINTEXT_HOST for clients on this machine
 * (<client host>:<external>). Inside the container each listener uses the
 * same port number as on the host, so the two can never collide: the host
 * ports are distinct.
 *
 * In ZooKeeper mode it starts once the ZooKeeper container runs, not once
 * ZooKeeper is healthy: the broker itself waits for ZooKeeper (up to a
 * minute), which takes the two JVMs' start-ups off each other's path. In
 * KRaft mode it is also a controller (a third listener, CONTROLLER, on the
 * network only), and all brokers start at once: none is healthy before a
 * majority of the quorum is up. Either way the deploy waits until the broker
 * is healthy.
 */
export class KafkaBroker extends Construct {
  public readonly container: Container;
  /** Bootstrap servers for clients on this machine, e.g. 127.0.0.1:9092. */
  public readonly bootstrapServers: string;
  /** Bootstrap servers for containers on the network, e.g. kafka:29092. */
  public readonly internalBootstrapServers: string;

  constructor(scope: Construct, id: string, props: KafkaBrokerProps) {
    super(scope, id);
    // Inside its container a broker listens on the same port numbers as on the host: the host ports are distinct.
    const [external, internal] = [props.ports.external.container, props.ports.internal.container];
    this.bootstrapServers = props.endpoint;
    this.internalBootstrapServers = `${props.networkAlias}:${internal}`;
    const coordination = props.coordination;
    // Internal topics cannot have more replicas than brokers.
    const internalReplicas = String(Math.min(3, props.clusterSize));
    const internalMinInsync = String(Math.min(2, props.clusterSize));
    const listeners = {
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${internal},PLAINTEXT_HOST://0.0.0.0:${external}`,
      // A client on this machine is told to come back where it reached the broker.
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${this.internalBootstrapServers},PLAINTEXT_HOST://${this.bootstrapServers}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT",
      KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
    };
    const membership =
      coordination.mode === "zookeeper"
        ? {
            KAFKA_BROKER_ID: String(props.nodeId),
            KAFKA_ZOOKEEPER_CONNECT: coordination.connect,
            KAFKA_ZOOKEEPER_CONNECTION_TIMEOUT_MS: String(ZOOKEEPER_CONNECTION_TIMEOUT_MS),
            ...listeners,
          }
        : {
            CLUSTER_ID: coordination.clusterId,
            KAFKA_NODE_ID: String(props.nodeId),
            KAFKA_PROCESS_ROLES: "broker,controller",
            KAFKA_CONTROLLER_QUORUM_VOTERS: coordination.quorumVoters,
            KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
            ...listeners,
            KAFKA_LISTENERS: `${listeners.KAFKA_LISTENERS},CONTROLLER://0.0.0.0:${coordination.controllerPort}`,
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `${listeners.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP},CONTROLLER:PLAINTEXT`,
            KAFKA_LOG_DIRS: "/var/lib/kafka/data",
          };

    this.container = new ServiceContainer(this, "service", {
      containerName: props.containerName,
      serviceName: props.networkAlias,
      image: props.image,
      networkName: props.networkName,
      bindAddress: props.bindAddress,
      environment: {
        ...membership,
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: internalReplicas,
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: internalReplicas,
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: internalMinInsync,
        // Topics are declared by the topics stack; a typo in a client must not create one.
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        // Where each log starts after DeleteRecords (a restore --replace, a migrate) is written to disk
        // every second instead of every minute: a broker killed without a clean shutdown (an OOM kill,
        // a container removed by force) would otherwise bring those deleted records back on restart.
        KAFKA_LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS: "1000",
        // The seed budgets ~512 MB for Kafka.
        KAFKA_HEAP_OPTS: "-Xms512m -Xmx512m",
      },
      ports: [
        { containerPort: external, hostPort: props.ports.external.host },
        { containerPort: internal, hostPort: props.ports.internal.host },
      ],
      volumes: [{ volumeName: props.dataVolumeName, containerPath: "/var/lib/kafka/data" }],
      // Ready: the broker answers a Metadata request listing at least one
      // broker (itself, once registered and known to its controller). Alive:
      // the listener accepts connections. Both are bash's /dev/tcp, so a probe
      // costs milliseconds, not a JVM: a client tool started on every probe
      // took 2 CPU-seconds each, which the other services starting on a small
      // machine paid for (see kafkaMetadataProbe).
      healthcheck: {
        alive: `bash -c '</dev/tcp/127.0.0.1/${internal}'`,
        ready: kafkaMetadataProbe(internal),
        intervalSeconds: 2,
        timeoutSeconds: 60,
        retries: 5,
        startPeriodSeconds: 30,
      },
      // A clean shutdown writes the recovery checkpoints; a kill forces log recovery.
      stopGraceSeconds: 60,
      memoryMiB: props.memoryMiB,
      dependsOn: coordination.mode === "zookeeper" ? [coordination.container] : undefined,
    }).container;
  }
}
