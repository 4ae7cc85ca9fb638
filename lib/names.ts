/**
 * Names of the Docker objects the stacks share. They are plain strings rather
 * than cross-stack references, so that stopping one stack never forces a
 * change on another; stack dependencies keep the creation order.
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

/** Stack names, as given to `cdktf deploy`/`cdktf destroy`. */
export const STACK_NAMES = {
  volumes: "volumes",
  network: "network",
  kafka: "kafka",
  cassandra: "cassandra",
  topics: "topics",
  schema: "schema",
} as const;
