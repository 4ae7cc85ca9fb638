import { Construct } from "constructs";
import type { Container } from "@cdktf/provider-docker/lib/container/index.js";
import { ServiceContainer, type ServiceProps } from "./service-container";

export interface ZooKeeperProps extends ServiceProps<"client"> {
  /** Volume for snapshots (/var/lib/zookeeper/data). */
  readonly dataVolumeName: string;
  /** Volume for transaction logs (/var/lib/zookeeper/log). */
  readonly logVolumeName: string;
}

/**
 * A single ZooKeeper node for Kafka's coordination. Its creation does not wait
 * for it to be healthy: the broker, created next, waits for it by itself, and
 * the deploy waits for the broker.
 */
export class ZooKeeper extends Construct {
  public readonly container: Container;
  /** Connect string for containers on the network, e.g. zookeeper:2181. */
  public readonly connectString: string;
  /** host:port a client on this machine connects to, e.g. 127.0.0.1:2181. */
  public readonly hostConnectString: string;

  constructor(scope: Construct, id: string, props: ZooKeeperProps) {
    super(scope, id);
    const client = props.ports.client.container;
    this.connectString = `zookeeper:${client}`;
    this.hostConnectString = props.endpoint;
    this.container = new ServiceContainer(this, "service", {
      containerName: props.containerName,
      serviceName: "zookeeper",
      image: props.image,
      networkName: props.networkName,
      bindAddress: props.bindAddress,
      environment: {
        ZOOKEEPER_CLIENT_PORT: String(client),
        ZOOKEEPER_TICK_TIME: "2000",
        // The seed budgets ~256 MB for ZooKeeper.
        KAFKA_HEAP_OPTS: "-Xms256m -Xmx256m",
      },
      ports: [{ containerPort: client, hostPort: props.ports.client.host }],
      volumes: [
        { volumeName: props.dataVolumeName, containerPath: "/var/lib/zookeeper/data" },
        { volumeName: props.logVolumeName, containerPath: "/var/lib/zookeeper/log" },
      ],
      // Only `srvr` is whitelisted among the four-letter words; `ruok` fails silently.
      // Cheap enough to run every second.
      healthcheck: {
        alive: `echo srvr | nc localhost ${client} | grep -q Mode`,
        intervalSeconds: 1,
        timeoutSeconds: 5,
        retries: 20,
        startPeriodSeconds: 10,
      },
      stopGraceSeconds: 30,
      memoryMiB: props.memoryMiB,
      awaitHealthy: false,
    }).container;
  }
}
