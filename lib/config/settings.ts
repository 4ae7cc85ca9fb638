/**
 * Every setting the app reads from `.env` or the environment, with its default
 * and what it does. This table is the single source for the config parser,
 * `.env.example` and the README's configuration table (a test keeps the two
 * documents in step with it).
 */
export interface SettingSpec {
  /** Environment variable name. */
  readonly name: string;
  /** Value used when the variable is unset (set but empty is reported as a mistake). */
  readonly defaultValue: string;
  /** One line for `.env.example` and the README. */
  readonly description: string;
  /**
   * Listed commented out in `.env.example`: its default depends on another
   * setting, and an uncommented copy would pin one case's default for all.
   */
  readonly commentedOut?: boolean;
}

export const SETTINGS = [
  {
    name: "CHATBATTLE_TARGET",
    defaultValue: "local",
    description:
      "local deploys ZooKeeper, Kafka and Cassandra on Docker, then the topics and schema; cluster deploys only the topics and schema, to the existing clusters that the KAFKA_* and CASSANDRA_* settings name.",
  },
  {
    name: "STATE_BACKEND",
    defaultValue: "local",
    description:
      "Where Terraform keeps each stack's state: local (files in state/) or pg (PostgreSQL at PG_CONN_STR, shared and locked, for a team).",
  },
  {
    name: "BIND_ADDRESS",
    defaultValue: "127.0.0.1",
    description:
      "Host address every published port listens on. 127.0.0.1 keeps the unauthenticated services off the network; 0.0.0.0 exposes them on every interface.",
  },
  {
    name: "STATE_LOCK_TIMEOUT",
    defaultValue: "60",
    description:
      "Seconds deploy and stop wait for another run's lock on a stack's state (with pg, PostgreSQL's lock) before they give up on that stack, changing nothing.",
  },
  {
    name: "TERRAFORM_TIMEOUT",
    defaultValue: "1800",
    description:
      "Seconds any one Terraform command (init, plan, apply, destroy) may run before deploy, stop or validate stops it (Terraform saves its state first) and names the stack and step. Long enough for a slow first image pull.",
  },
  {
    name: "ZOOKEEPER_IMAGE",
    defaultValue: "confluentinc/cp-zookeeper:7.9.2",
    description: "ZooKeeper image, in zookeeper mode. Confluent Platform 8 has no ZooKeeper, so stay on the 7.9 line.",
  },
  {
    name: "KAFKA_MODE",
    defaultValue: "zookeeper",
    description:
      "zookeeper runs Kafka with a ZooKeeper container, as the seed does; kraft runs each broker as its own controller too (KRaft), with no ZooKeeper. A stack with data keeps its mode: npm run reset first to switch.",
  },
  {
    name: "KAFKA_BROKERS",
    defaultValue: "1",
    description:
      "Number of Kafka brokers, 1 or 3, each with its own container (chatbattle-kafka, chatbattle-kafka-2, chatbattle-kafka-3), volume and ports. A stack with data keeps its count: npm run reset first to change it.",
  },
  {
    name: "KAFKA_IMAGE",
    defaultValue: "confluentinc/cp-kafka:7.9.2",
    description:
      "Kafka image. Unset: confluentinc/cp-kafka:7.9.2 in zookeeper mode (the last line with ZooKeeper; 8.x is KRaft only) and confluentinc/cp-kafka:8.3.0 in kraft mode (Confluent Platform 8.3, Kafka 4.3).",
    commentedOut: true,
  },
  {
    name: "CASSANDRA_IMAGE",
    defaultValue: "cassandra:4.1.11",
    description: "Cassandra image.",
  },
  { name: "ZOOKEEPER_PORT", defaultValue: "2181", description: "Host port for ZooKeeper client connections." },
  {
    name: "KAFKA_EXTERNAL_PORT",
    defaultValue: "9092",
    description: "Host port of (the first) Kafka broker for clients on this machine; the broker advertises <client host>:<this port>, the client host being 127.0.0.1 unless BIND_ADDRESS names one address.",
  },
  {
    name: "KAFKA_INTERNAL_PORT",
    defaultValue: "29092",
    description:
      "The (first) broker's listener for containers on chatbattle-network, advertised as kafka:<this port>; also published on the host.",
  },
  {
    name: "KAFKA_2_EXTERNAL_PORT",
    defaultValue: "9093",
    description: "With KAFKA_BROKERS=3: host port of broker 2 for clients on this machine. The external ports count up from 9092, far below the internal ones at 29092 and up, so the two ranges never meet.",
  },
  { name: "KAFKA_2_INTERNAL_PORT", defaultValue: "29093", description: "With KAFKA_BROKERS=3: broker 2's listener for containers, advertised as kafka-2:<this port>; also published on the host." },
  { name: "KAFKA_3_EXTERNAL_PORT", defaultValue: "9094", description: "With KAFKA_BROKERS=3: host port of broker 3 for clients on this machine." },
  { name: "KAFKA_3_INTERNAL_PORT", defaultValue: "29094", description: "With KAFKA_BROKERS=3: broker 3's listener for containers, advertised as kafka-3:<this port>; also published on the host." },
  { name: "CASSANDRA_CQL_PORT", defaultValue: "9042", description: "Host port for CQL clients." },
  {
    name: "CASSANDRA_INTERNODE_PORT",
    defaultValue: "7000",
    description: "Host port for Cassandra inter-node traffic.",
  },
  {
    name: "CASSANDRA_INTERNODE_TLS_PORT",
    defaultValue: "7001",
    description: "Host port for Cassandra TLS inter-node traffic.",
  },
  {
    name: "CASSANDRA_KEYSPACE",
    defaultValue: "twitch_chat",
    description: "Keyspace the schema is created in (lower-case CQL identifier, at most 48 characters).",
  },
  {
    name: "CASSANDRA_REPLICATION_FACTOR",
    defaultValue: "1",
    description: "SimpleStrategy replication factor of the keyspace; set this or CASSANDRA_REPLICATION, not both. The local stack has one node, so 1.",
  },
  {
    name: "CASSANDRA_DATACENTER",
    defaultValue: "dc1",
    description: "Datacenter name of the Cassandra node; clients use it as their local datacenter.",
  },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]["name"];
