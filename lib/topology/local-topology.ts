/**
 * What the local stack runs, as a pure function of the configuration: each
 * service's container, network alias, image, published ports, volumes,
 * memory, and the endpoint a client on this machine reaches it at. The
 * stacks build their containers from it; health, pre-flight, the clients
 * and the runtime read it. Nothing works a name, port or address out a
 * second time, and nothing builds the app to learn one.
 *
 * Adding a service is one entry here (see `services`) and its construct.
 */
import { KRAFT_CONTROLLER_PORT, type ChatBattleConfig } from "../config/config";
import type { SettingName } from "../config/settings";
import { brokerNames, CONTAINER_NAMES, KRAFT_CLUSTER_ID, NETWORK_NAME, VOLUME_NAMES } from "../names";
import { joinHostPort } from "../endpoint";

/** The kinds of service the local stack runs. */
export type ServiceName = "zookeeper" | "kafka" | "cassandra";

/** A port a container publishes on this machine. */
export interface PublishedPort {
  /** What it serves, as the service's construct names it: client, external, internal, cql, … */
  readonly purpose: string;
  readonly containerPort: number;
  readonly hostPort: number;
  /** The setting that names the host port, for a message that names the fix. */
  readonly setting: SettingName;
}

/** A named volume a container mounts: its construct id (a contract: renaming it deletes the volume), name and path. */
export interface ServiceVolume {
  readonly id: string;
  readonly name: string;
  readonly path: string;
}

/** One container of the local stack. */
export interface LocalService {
  readonly name: ServiceName;
  /** The container, e.g. chatbattle-kafka-2. */
  readonly container: string;
  /** The name containers on the network reach it by: zookeeper, kafka, kafka-2, …, cassandra. */
  readonly alias: string;
  /** The broker's id, for a Kafka broker. */
  readonly broker?: number;
  readonly image: string;
  /** The setting the image comes from. */
  readonly imageSetting: SettingName;
  /** Hard memory limit of the container. */
  readonly memoryMiB: number;
  readonly ports: readonly PublishedPort[];
  readonly volumes: readonly ServiceVolume[];
  /** host:port a client on this machine reaches it at (an IPv6 host in brackets). */
  readonly endpoint: string;
}

/** The whole local stack. */
export interface LocalTopology {
  readonly network: string;
  /** Every container, in start order: ZooKeeper (ZooKeeper mode), the brokers, Cassandra. */
  readonly services: readonly LocalService[];
  /** Every data volume, ZooKeeper's first. */
  readonly volumes: readonly ServiceVolume[];
  /** Memory the containers may use together. */
  readonly memoryMiB: number;
  /** host:port of every broker for clients on this machine, broker 1 first. */
  readonly kafkaBrokers: readonly string[];
  /** host:port of ZooKeeper's client port; undefined in KRaft mode. */
  readonly zookeeper?: string;
  /** How a CQL client reaches the node: its contact point and datacenter. */
  readonly cassandra: { readonly contactPoint: string; readonly datacenter: string };
}

/** Memory limit of each kind of container: its heap plus off-heap memory, page cache headroom and the healthcheck. */
export const MEMORY_MIB: Readonly<Record<ServiceName, number>> = { zookeeper: 512, kafka: 1024, cassandra: 2048 };

/** ZooKeeper's client port inside its container and on the network. */
export const ZOOKEEPER_CLIENT_PORT = 2181;
/** Cassandra's ports inside its container. */
export const CASSANDRA_CONTAINER_PORTS = { cql: 9042, internode: 7000, internodeTls: 7001 } as const;

/** The local Kafka's brokers: each with its own ports, and inside its container the same port numbers as on the host. */
function brokers(config: ChatBattleConfig): LocalService[] {
  const ports = [
    {
      external: config.ports.kafkaExternal,
      internal: config.ports.kafkaInternal,
      settings: ["KAFKA_EXTERNAL_PORT", "KAFKA_INTERNAL_PORT"],
    },
    {
      external: config.ports.kafka2External,
      internal: config.ports.kafka2Internal,
      settings: ["KAFKA_2_EXTERNAL_PORT", "KAFKA_2_INTERNAL_PORT"],
    },
    {
      external: config.ports.kafka3External,
      internal: config.ports.kafka3Internal,
      settings: ["KAFKA_3_EXTERNAL_PORT", "KAFKA_3_INTERNAL_PORT"],
    },
  ] as const;
  return ports.slice(0, config.kafka.brokers).map((p, i) => {
    const names = brokerNames(i + 1);
    return {
      name: "kafka",
      container: names.container,
      alias: names.alias,
      broker: i + 1,
      image: config.images.kafka,
      imageSetting: config.imageSettings.kafka,
      memoryMiB: MEMORY_MIB.kafka,
      ports: [
        { purpose: "external", containerPort: p.external, hostPort: p.external, setting: p.settings[0] },
        { purpose: "internal", containerPort: p.internal, hostPort: p.internal, setting: p.settings[1] },
      ],
      volumes: [{ id: names.volumeId, name: names.volume, path: "/var/lib/kafka/data" }],
      endpoint: joinHostPort(config.clientHost, p.external),
    };
  });
}

/** The local stack a configuration deploys. */
export function localTopology(config: ChatBattleConfig): LocalTopology {
  const zookeeper: LocalService[] =
    config.kafka.mode === "zookeeper"
      ? [
          {
            name: "zookeeper",
            container: CONTAINER_NAMES.zookeeper,
            alias: "zookeeper",
            image: config.images.zookeeper,
            imageSetting: config.imageSettings.zookeeper,
            memoryMiB: MEMORY_MIB.zookeeper,
            ports: [
              {
                purpose: "client",
                containerPort: ZOOKEEPER_CLIENT_PORT,
                hostPort: config.ports.zookeeper,
                setting: "ZOOKEEPER_PORT",
              },
            ],
            volumes: [
              { id: "zookeeperData", name: VOLUME_NAMES.zookeeperData, path: "/var/lib/zookeeper/data" },
              { id: "zookeeperLogs", name: VOLUME_NAMES.zookeeperLogs, path: "/var/lib/zookeeper/log" },
            ],
            endpoint: joinHostPort(config.clientHost, config.ports.zookeeper),
          },
        ]
      : [];
  const cassandra: LocalService = {
    name: "cassandra",
    container: CONTAINER_NAMES.cassandra,
    alias: "cassandra",
    image: config.images.cassandra,
    imageSetting: config.imageSettings.cassandra,
    memoryMiB: MEMORY_MIB.cassandra,
    ports: [
      {
        purpose: "cql",
        containerPort: CASSANDRA_CONTAINER_PORTS.cql,
        hostPort: config.ports.cassandraCql,
        setting: "CASSANDRA_CQL_PORT",
      },
      {
        purpose: "internode",
        containerPort: CASSANDRA_CONTAINER_PORTS.internode,
        hostPort: config.ports.cassandraInternode,
        setting: "CASSANDRA_INTERNODE_PORT",
      },
      {
        purpose: "internodeTls",
        containerPort: CASSANDRA_CONTAINER_PORTS.internodeTls,
        hostPort: config.ports.cassandraInternodeTls,
        setting: "CASSANDRA_INTERNODE_TLS_PORT",
      },
    ],
    volumes: [{ id: "cassandraData", name: VOLUME_NAMES.cassandraData, path: "/var/lib/cassandra" }],
    endpoint: joinHostPort(config.clientHost, config.ports.cassandraCql),
  };
  const kafka = brokers(config);
  const services = [...zookeeper, ...kafka, cassandra];
  return {
    network: NETWORK_NAME,
    services,
    volumes: services.flatMap((s) => s.volumes),
    memoryMiB: services.reduce((sum, s) => sum + s.memoryMiB, 0),
    kafkaBrokers: kafka.map((b) => b.endpoint),
    zookeeper: zookeeper[0]?.endpoint,
    cassandra: { contactPoint: cassandra.endpoint, datacenter: config.cassandra.datacenter },
  };
}

/** The containers the app runs for a configuration: the local stack's; none on a cluster, which is not ours to run. */
export function deployedServices(config: ChatBattleConfig): readonly LocalService[] {
  return config.target === "local" ? localTopology(config).services : [];
}

/** The images a stack runs, each once, with the setting that names it (several brokers share one). */
export function localImages(
  services: readonly LocalService[],
): { readonly image: string; readonly setting: SettingName }[] {
  const seen = new Map(services.map((s) => [s.image, { image: s.image, setting: s.imageSetting }]));
  return [...seen.values()];
}

/** The host port of a service's port, by purpose. */
export function hostPort(service: LocalService, purpose: string): number {
  const port = service.ports.find((p) => p.purpose === purpose);
  if (!port) throw new Error(`${service.container} publishes no ${purpose} port`);
  return port.hostPort;
}

/** The KRaft controller quorum of these brokers: id@alias:port of each. */
export function kraftQuorumVoters(topology: LocalTopology): string {
  return topology.services
    .filter((s) => s.name === "kafka")
    .map((b) => `${b.broker}@${b.alias}:${KRAFT_CONTROLLER_PORT}`)
    .join(",");
}

export { KRAFT_CLUSTER_ID, KRAFT_CONTROLLER_PORT };
