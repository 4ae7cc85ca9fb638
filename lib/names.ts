/**
 * Names of the Docker objects and stacks, and the label on every Docker
 * object of the project. A neutral module: configuration, constructs, stacks
 * and commands all read it, and it reads nothing.
 *
 * The network and volume names are plain strings rather than cross-stack
 * references, so that stopping one stack never forces a change on another;
 * stack dependencies keep the creation order.
 */
export const NETWORK_NAME = "chatbattle-network";

/** Container of each service; the seed's names, which docker commands and logs refer to. */
export const CONTAINER_NAMES = {
  zookeeper: "chatbattle-zookeeper",
  kafka: "chatbattle-kafka",
  cassandra: "chatbattle-cassandra",
} as const;

export const VOLUME_NAMES = {
  zookeeperData: "chatbattle-zookeeper-data",
  zookeeperLogs: "chatbattle-zookeeper-logs",
  kafkaData: "chatbattle-kafka-data",
  cassandraData: "chatbattle-cassandra-data",
} as const;

/**
 * Broker `n` (1-based) of the local Kafka: the first keeps the seed's names
 * (chatbattle-kafka, kafka, chatbattle-kafka-data), the others add their number.
 */
export function brokerNames(n: number): {
  readonly container: string;
  readonly alias: string;
  readonly volume: string;
  readonly volumeId: string;
} {
  return n === 1
    ? { container: CONTAINER_NAMES.kafka, alias: "kafka", volume: VOLUME_NAMES.kafkaData, volumeId: "kafkaData" }
    : {
        container: `chatbattle-kafka-${n}`,
        alias: `kafka-${n}`,
        volume: `chatbattle-kafka-${n}-data`,
        volumeId: `kafka${n}Data`,
      };
}

/** Every volume name any configuration uses: what reset and the mode check look for. */
export const ALL_VOLUME_NAMES: readonly string[] = [
  VOLUME_NAMES.zookeeperData,
  VOLUME_NAMES.zookeeperLogs,
  ...[1, 2, 3].map((n) => brokerNames(n).volume),
  VOLUME_NAMES.cassandraData,
];

/** Every container name any configuration uses. */
export const ALL_CONTAINER_NAMES: readonly string[] = [
  CONTAINER_NAMES.zookeeper,
  ...[1, 2, 3].map((n) => brokerNames(n).container),
  CONTAINER_NAMES.cassandra,
];

/**
 * The local KRaft cluster's id. A constant: a broker's volume is formatted
 * with it on its first start and keeps it, so a redeploy, a stop and start or
 * a new container never formats a volume that has data.
 */
export const KRAFT_CLUSTER_ID = "KErIeCe4hK-XPdEXfBHttw";

/** Stack names, as given to `cdktf deploy`/`cdktf destroy`. */
export const STACK_NAMES = {
  volumes: "volumes",
  network: "network",
  kafka: "kafka",
  cassandra: "cassandra",
  topics: "topics",
  schema: "schema",
} as const;

/** Label put on every Docker object of the project, so leftovers can be found. */
export const PROJECT_LABEL = { label: "com.chatbattle.project", value: "chatbattle" } as const;
