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

/** A service of the stack, by the name containers on the network use for it. */
export type ServiceName = keyof typeof CONTAINER_NAMES;

export const VOLUME_NAMES = {
  zookeeperData: "chatbattle-zookeeper-data",
  zookeeperLogs: "chatbattle-zookeeper-logs",
  kafkaData: "chatbattle-kafka-data",
  cassandraData: "chatbattle-cassandra-data",
} as const;

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
