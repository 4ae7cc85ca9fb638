/**
 * Every setting the app, the cluster target and the schema applier read from
 * `.env` or the environment, with its default and what it does: the one table
 * the parsers, `.env.example` and the README's configuration tables come from
 * (a test keeps the two documents in step with it).
 */
export interface SettingSpec {
  /** Environment variable name. */
  readonly name: string;
  /**
   * Its default: the value used when the variable is unset (set but empty is
   * reported as a mistake), or, for a `described` setting, what happens then.
   */
  readonly defaultValue: string;
  /** One line for `.env.example` and the README. */
  readonly description: string;
  /**
   * app: the local stack's settings; cluster: the target, the state backend and
   * what only a cluster needs; applier: the schema applier's own.
   */
  readonly group: "app" | "cluster" | "applier";
  /**
   * How the documents show it.
   * - value: `NAME=default` in `.env.example`, the default in backticks in the README.
   * - commented: the same, commented out: its default depends on another setting, and
   *   an uncommented copy would pin one case's default for all.
   * - described: commented out as `# NAME=` with "Default: …" in words, for defaults
   *   that are another setting or "unset".
   */
  readonly documented: "value" | "commented" | "described";
  /** An image setting: the service whose image it names (config.images.<service>), checked as a pinned reference. */
  readonly imageOf?: string;
  /** A host port setting: its key in config.ports, checked as a port and against the other published ports. */
  readonly portKey?: string;
}

export const SETTINGS = [
  {
    group: "app",
    documented: "value",
    name: "CHATBATTLE_TARGET",
    defaultValue: "local",
    description:
      "local deploys ZooKeeper, Kafka and Cassandra on Docker, then the topics and schema; cluster deploys only the topics and schema, to the existing clusters that the KAFKA_* and CASSANDRA_* settings name.",
  },
  {
    group: "app",
    documented: "value",
    name: "STATE_BACKEND",
    defaultValue: "local",
    description:
      "Where Terraform keeps each stack's state: local (files in state/) or pg (PostgreSQL at PG_CONN_STR, shared and locked, for a team).",
  },
  {
    group: "app",
    documented: "value",
    name: "BIND_ADDRESS",
    defaultValue: "127.0.0.1",
    description:
      "Host address every published port listens on. 127.0.0.1 keeps the unauthenticated services off the network; 0.0.0.0 exposes them on every interface.",
  },
  {
    group: "app",
    documented: "value",
    name: "STATE_LOCK_TIMEOUT",
    defaultValue: "60",
    description:
      "Seconds deploy and stop wait for another run's lock on a stack's state (with pg, PostgreSQL's lock) before they give up on that stack, changing nothing.",
  },
  {
    group: "app",
    documented: "value",
    name: "TERRAFORM_TIMEOUT",
    defaultValue: "1800",
    description:
      "Seconds any one Terraform command (init, plan, apply, destroy) may run before deploy, stop or validate stops it (Terraform saves its state first) and names the stack and step. Long enough for a slow first image pull.",
  },
  {
    group: "app",
    documented: "value",
    name: "SNAPSHOT_DIR",
    defaultValue: "snapshots",
    description:
      "Folder npm run snapshot and npm run migrate keep snapshots in (relative paths: from the project folder). git ignores snapshots/.",
  },
  {
    group: "app",
    documented: "described",
    name: "TOPICS_FILE",
    defaultValue: "unset: the topics of lib/topics.ts",
    description:
      'JSON file declaring the topics in place of lib/topics.ts: [{"name": "…", "partitions": 3, "config": {"retention.ms": "…"}}, …]. npm run bench declares its scaling topics this way.',
  },
  {
    group: "app",
    documented: "value",
    name: "ZOOKEEPER_IMAGE",
    imageOf: "zookeeper",
    defaultValue: "confluentinc/cp-zookeeper:7.9.2",
    description: "ZooKeeper image, in zookeeper mode. Confluent Platform 8 has no ZooKeeper, so stay on the 7.9 line.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_MODE",
    defaultValue: "zookeeper",
    description:
      "zookeeper runs Kafka with a ZooKeeper container, as the seed does; kraft runs each broker as its own controller too (KRaft), with no ZooKeeper. A stack with data keeps its mode: npm run migrate switches it with the data (npm run reset, without).",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_BROKERS",
    defaultValue: "1",
    description:
      "Number of Kafka brokers, 1 or 3, each with its own container (chatbattle-kafka, chatbattle-kafka-2, chatbattle-kafka-3), volume and ports. A stack with data keeps its count: npm run migrate changes it with the data (npm run reset, without).",
  },
  {
    group: "app",
    documented: "commented",
    name: "KAFKA_IMAGE",
    imageOf: "kafka",
    defaultValue: "confluentinc/cp-kafka:7.9.2",
    description:
      "Kafka image of both modes, unless KAFKA_KRAFT_IMAGE is set in kraft mode. Unset: confluentinc/cp-kafka:7.9.2 in zookeeper mode (the last line with ZooKeeper; 8.x is KRaft only) and KAFKA_KRAFT_IMAGE in kraft mode.",
  },
  {
    group: "app",
    documented: "commented",
    name: "KAFKA_KRAFT_IMAGE",
    imageOf: "kafka",
    defaultValue: "confluentinc/cp-kafka:8.3.0",
    description:
      "Kafka image in kraft mode; takes precedence over KAFKA_IMAGE there. Unset: KAFKA_IMAGE if that is set, else confluentinc/cp-kafka:8.3.0 (Confluent Platform 8.3, Kafka 4.3).",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_IMAGE",
    imageOf: "cassandra",
    defaultValue: "cassandra:4.1.11",
    description: "Cassandra image.",
  },
  {
    group: "app",
    documented: "value",
    name: "ZOOKEEPER_PORT",
    portKey: "zookeeper",
    defaultValue: "2181",
    description: "Host port for ZooKeeper client connections.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_EXTERNAL_PORT",
    portKey: "kafkaExternal",
    defaultValue: "9092",
    description:
      "Host port of (the first) Kafka broker for clients on this machine; the broker advertises <client host>:<this port>, the client host being 127.0.0.1 unless BIND_ADDRESS names one address.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_INTERNAL_PORT",
    portKey: "kafkaInternal",
    defaultValue: "29092",
    description:
      "The (first) broker's listener for containers on chatbattle-network, advertised as kafka:<this port>; also published on the host.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_2_EXTERNAL_PORT",
    portKey: "kafka2External",
    defaultValue: "9093",
    description:
      "With KAFKA_BROKERS=3: host port of broker 2 for clients on this machine. The external ports count up from 9092, far below the internal ones at 29092 and up, so the two ranges never meet.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_2_INTERNAL_PORT",
    portKey: "kafka2Internal",
    defaultValue: "29093",
    description:
      "With KAFKA_BROKERS=3: broker 2's listener for containers, advertised as kafka-2:<this port>; also published on the host.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_3_EXTERNAL_PORT",
    portKey: "kafka3External",
    defaultValue: "9094",
    description: "With KAFKA_BROKERS=3: host port of broker 3 for clients on this machine.",
  },
  {
    group: "app",
    documented: "value",
    name: "KAFKA_3_INTERNAL_PORT",
    portKey: "kafka3Internal",
    defaultValue: "29094",
    description:
      "With KAFKA_BROKERS=3: broker 3's listener for containers, advertised as kafka-3:<this port>; also published on the host.",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_CQL_PORT",
    portKey: "cassandraCql",
    defaultValue: "9042",
    description: "Host port for CQL clients.",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_INTERNODE_PORT",
    portKey: "cassandraInternode",
    defaultValue: "7000",
    description: "Host port for Cassandra inter-node traffic.",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_INTERNODE_TLS_PORT",
    portKey: "cassandraInternodeTls",
    defaultValue: "7001",
    description: "Host port for Cassandra TLS inter-node traffic.",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_KEYSPACE",
    defaultValue: "twitch_chat",
    description: "Keyspace the schema is created in (lower-case CQL identifier, at most 48 characters).",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_REPLICATION_FACTOR",
    defaultValue: "1",
    description:
      "SimpleStrategy replication factor of the keyspace; set this or CASSANDRA_REPLICATION, not both. The local stack has one node, so 1.",
  },
  {
    group: "app",
    documented: "value",
    name: "CASSANDRA_DATACENTER",
    defaultValue: "dc1",
    description: "Datacenter name of the Cassandra node; clients use it as their local datacenter.",
  },

  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_BOOTSTRAP_SERVERS",
    defaultValue: "the deployed broker (127.0.0.1:KAFKA_EXTERNAL_PORT)",
    description:
      "Comma-separated host:port of the cluster's brokers. Required, and only allowed, with CHATBATTLE_TARGET=cluster.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_SECURITY_PROTOCOL",
    defaultValue: "PLAINTEXT",
    description: "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. The local broker speaks PLAINTEXT only.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_SASL_MECHANISM",
    defaultValue: "unset: no SASL",
    description: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; required with a SASL_ protocol.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_SASL_USERNAME",
    defaultValue: "unset",
    description: "SASL user; required with a SASL_ protocol.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_SASL_PASSWORD",
    defaultValue: "unset",
    description:
      "SASL password; required with a SASL_ protocol. Read from the environment only, never printed, synthesized or stored in state.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_CA_CERT",
    defaultValue: "unset: the system's trusted CAs",
    description: "PEM file of the CA that signed the brokers' certificates (SSL and SASL_SSL).",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_TOPIC_REPLICATION_FACTOR",
    defaultValue: "locally min(3, KAFKA_BROKERS): 1 with one broker, as the seed; 3 on a cluster",
    description:
      "Replication factor of every topic. Locally at most KAFKA_BROKERS; on a cluster it may not exceed the brokers online, which deploy checks first. With three brokers and replication 1, one stopped broker leaves a third of each topic's partitions without a leader: writes to them fail and consumers wait.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_MIN_INSYNC_REPLICAS",
    defaultValue:
      "locally min(2, KAFKA_BROKERS) with more than one broker and the default replication, else the broker's default; 2 on a cluster (at most the replication factor)",
    description: "min.insync.replicas of every topic: how many replicas must have a write acknowledged with acks=all.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "KAFKA_TOPIC_PARTITIONS",
    defaultValue: "each topic's own (3)",
    description:
      "Partitions of every topic. A raise is applied in place; fewer partitions would delete and recreate each topic with its messages, so deploy refuses that unless given --allow-data-loss.",
  },
  {
    group: "cluster",
    documented: "described",
    name: "PG_CONN_STR",
    defaultValue: "unset",
    description:
      "postgres:// URL of the state database, required with STATE_BACKEND=pg. Terraform reads it from the environment; it is never synthesized.",
  },

  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_CONTACT_POINTS",
    defaultValue: "the deployed node (127.0.0.1:CASSANDRA_CQL_PORT)",
    description: "Comma-separated hosts (host or host:port) the applier connects to.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_PORT",
    defaultValue: "CASSANDRA_CQL_PORT (9042)",
    description: "CQL port for contact points given without one.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_LOCAL_DATACENTER",
    defaultValue: "CASSANDRA_DATACENTER (dc1)",
    description: "Datacenter the driver treats as local.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_REPLICATION",
    defaultValue: "unset: SimpleStrategy with CASSANDRA_REPLICATION_FACTOR",
    description:
      "Per-datacenter replication for NetworkTopologyStrategy, e.g. dc1:3,dc2:3, used by the deploy and the applier alike; set this or CASSANDRA_REPLICATION_FACTOR, not both.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_USERNAME",
    defaultValue: "unset: no authentication",
    description: "User for PasswordAuthenticator.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_PASSWORD",
    defaultValue: "unset",
    description: "Password of CASSANDRA_USERNAME. Never printed.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_TLS",
    defaultValue: "false",
    description: "true to connect with TLS, verifying the server certificate.",
  },
  {
    group: "applier",
    documented: "described",
    name: "CASSANDRA_TLS_CA_FILE",
    defaultValue: "unset: the system's trusted CAs",
    description: "PEM file of the CA that signed the server certificate.",
  },
  {
    group: "applier",
    documented: "described",
    name: "SCHEMA_WAIT_SECONDS",
    defaultValue: "120",
    description:
      "How long `npm run schema:apply` waits for Cassandra to accept CQL before giving up. A deploy's schema step on the local stack waits as long as Docker's healthcheck allows the node (612 s).",
  },
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]["name"];
/** The services that have an image setting. */
export type ImageService = Extract<(typeof SETTINGS)[number], { imageOf: string }>["imageOf"];
/** The keys of config.ports: one per host port setting. */
export type PortKey = Extract<(typeof SETTINGS)[number], { portKey: string }>["portKey"];

/** The spec of a setting. */
export function settingSpec(name: SettingName): SettingSpec {
  return SETTINGS.find((s) => s.name === name)!;
}
