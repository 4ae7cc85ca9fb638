import { isIP } from "node:net";
import { SETTINGS, type ImageService, type PortKey, type SettingName } from "./settings";
import { SettingsReader, type ConfigProblem } from "./settings-reader";
import { readReplication, type Replication } from "./replication";
import {
  readKafkaConnection,
  readTarget,
  readTopicDurability,
  type KafkaConnection,
  type StateBackend,
  type Target,
  type TopicDurability,
} from "./target";
import { readTopicsFile, type TopicDefinition } from "./topics-file";
import { readCassandraClient, type CassandraClientSettings } from "./cassandra-client";
import { CommandError } from "../errors";

export type { ConfigProblem } from "./settings-reader";
export type { Replication } from "./replication";

/** Host ports the stack publishes, by what they serve (brokers 2 and 3 only with three brokers): one per port setting. */
export type HostPorts = Readonly<Record<PortKey, number>>;

/** How Kafka runs locally. */
export type KafkaMode = "zookeeper" | "kraft";

/** The ports a configuration publishes: ZooKeeper's only in zookeeper mode, brokers 2 and 3 only with three brokers. */
export function publishedPortKeys(kafka: ChatBattleConfig["kafka"]): (keyof HostPorts)[] {
  return (Object.keys(PORT_SETTINGS) as (keyof HostPorts)[]).filter((key) => {
    if (key === "zookeeper") return kafka.mode === "zookeeper";
    if (key.startsWith("kafka2") || key.startsWith("kafka3")) return kafka.brokers === 3;
    return true;
  });
}

/** Listener of the KRaft controllers inside each broker's container; never published. */
export const KRAFT_CONTROLLER_PORT = 29999;

/** The validated configuration every stack is built from. */
export interface ChatBattleConfig {
  /** The local Kafka: mode and broker count. */
  readonly kafka: { readonly mode: KafkaMode; readonly brokers: 1 | 3 };
  /** local: the Docker stack and its topics and schema; cluster: topics and schema on existing clusters. */
  readonly target: Target;
  readonly stateBackend: StateBackend;
  /** The existing Kafka cluster; set exactly when the target is cluster. */
  readonly kafkaCluster?: KafkaConnection;
  /** How the app's CQL clients reach Cassandra (the deployed node's where unset). */
  readonly cassandraClient: CassandraClientSettings;
  readonly topicDurability: TopicDurability;
  /** The topics of TOPICS_FILE; undefined: those of lib/topics.ts. */
  readonly topicsFromFile?: readonly TopicDefinition[];
  /** How long Terraform waits for another run's state lock. */
  readonly stateLockTimeoutSeconds: number;
  /** How long one Terraform command may run before it is stopped. */
  readonly terraformDeadlineSeconds: number;
  /** Host address published ports listen on. */
  readonly bindAddress: string;
  /** SNAPSHOT_DIR as given: where snapshots are kept, relative to the project folder unless absolute. */
  readonly snapshotDir: string;
  /** Address a client on this machine uses to reach a published port. */
  readonly clientHost: string;
  /** Each service's image: one per image setting (Kafka's from one of its two, by the mode). */
  readonly images: Readonly<Record<ImageService, string>>;
  /** The setting each image came from, for messages that name the fix. */
  readonly imageSettings: Readonly<Record<ImageService, SettingName>>;
  readonly ports: HostPorts;
  readonly cassandra: {
    readonly keyspace: string;
    /** CASSANDRA_REPLICATION_FACTOR or CASSANDRA_REPLICATION, whichever is set. */
    readonly replication: Replication;
    readonly datacenter: string;
  };
}

function describeValue(p: ConfigProblem): string {
  return p.value === undefined ? `${p.defaultValue} (the default)` : JSON.stringify(p.value);
}

/** Thrown with every bad setting at once, so a user fixes them in one go. */
export class ConfigError extends CommandError {
  constructor(
    public readonly problems: readonly ConfigProblem[],
    /** What the command did not do because of them. */
    consequence = "nothing was done",
  ) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); ${consequence}:`,
        ...problems.map((p) => `  - ${p.name}=${describeValue(p)}: ${p.allowed}`),
        "Fix these in .env (see .env.example) or in the environment, then run the command again.",
      ].join("\n"),
      2,
    );
    this.name = "ConfigError";
  }
}

/** The setting behind each host port: the settings table's port settings. */
export const PORT_SETTINGS = Object.fromEntries(
  SETTINGS.flatMap((s) => ("portKey" in s ? [[s.portKey, s.name]] : [])),
) as Readonly<Record<PortKey, SettingName>>;

// An image reference with an explicit tag or digest: [registry/]name(:tag|@sha256:…).
const IMAGE_REFERENCE = /^[a-z0-9]+(?:[._/:-][a-z0-9]+)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
// Unquoted CQL identifiers fold to lower case; Cassandra limits names to 48 characters.
const CQL_IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;
const DATACENTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Parses and validates the settings in `env` (unset means the default; set
 * but empty is an error). Throws a {@link ConfigError} listing every bad value.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ChatBattleConfig {
  const settings = new SettingsReader(env);
  const defaultOf = (name: SettingName) => SETTINGS.find((s) => s.name === name)!.defaultValue;
  const raw = (name: SettingName): string => settings.get(name, defaultOf(name)) ?? defaultOf(name);
  const problem = (name: SettingName, allowed: string) => settings.problem(name, allowed, defaultOf(name));

  const mode = settings.oneOf<KafkaMode>("KAFKA_MODE", ["zookeeper", "kraft"], "zookeeper");
  const brokersText = raw("KAFKA_BROKERS");
  if (brokersText !== "1" && brokersText !== "3") {
    problem(
      "KAFKA_BROKERS",
      "must be 1 or 3: one broker, or three for replication and a broker failure (and, in kraft mode, a controller quorum of three)",
    );
  }
  const kafka = { mode, brokers: brokersText === "3" ? 3 : 1 } as const;

  const { target, stateBackend } = readTarget(settings);
  const kafkaCluster = readKafkaConnection(settings, target);
  const cassandraClient = readCassandraClient(settings, target);
  const topicDurability = readTopicDurability(settings, target, kafka.brokers);
  const topicsFromFile = readTopicsFile(settings);

  const integer = (name: SettingName, min: number, max: number, allowed: string): number => {
    const text = raw(name);
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problem(name, allowed);
      return NaN;
    }
    return value;
  };

  const stateLockTimeoutSeconds = integer(
    "STATE_LOCK_TIMEOUT",
    0,
    3600,
    "must be a whole number of seconds from 0 to 3600",
  );
  const terraformDeadlineSeconds = integer(
    "TERRAFORM_TIMEOUT",
    10,
    86400,
    "must be a whole number of seconds from 10 to 86400",
  );
  const bindAddress = raw("BIND_ADDRESS");
  if (isIP(bindAddress) === 0) {
    problem(
      "BIND_ADDRESS",
      "must be an IPv4 or IPv6 address, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)",
    );
  }

  const image = (name: SettingName): string => {
    const value = raw(name);
    if (!IMAGE_REFERENCE.test(value) || /:latest$/.test(value)) {
      problem(
        name,
        "must be an image reference with a pinned tag or digest, e.g. confluentinc/cp-kafka:7.9.2 (not 'latest')",
      );
    }
    return value;
  };
  // Kraft mode reads KAFKA_KRAFT_IMAGE unless only KAFKA_IMAGE is set; zookeeper mode reads KAFKA_IMAGE.
  // Each setting's default is its mode's image: the newest Confluent Platform line that runs the mode.
  // Every other service has one image setting.
  const kraftSettingApplies = env.KAFKA_KRAFT_IMAGE !== undefined || env.KAFKA_IMAGE === undefined;
  const kafkaImageSetting = kafka.mode === "kraft" && kraftSettingApplies ? "KAFKA_KRAFT_IMAGE" : "KAFKA_IMAGE";
  const imageSettings = Object.fromEntries(
    SETTINGS.flatMap((s) =>
      "imageOf" in s && (s.imageOf !== "kafka" || s.name === kafkaImageSetting) ? [[s.imageOf, s.name]] : [],
    ),
  ) as Record<ImageService, SettingName>;
  const images = Object.fromEntries(
    Object.entries(imageSettings).map(([service, name]) => [service, image(name)]),
  ) as Record<ImageService, string>;

  const ports = Object.fromEntries(
    Object.entries(PORT_SETTINGS).map(([key, name]) => [
      key,
      integer(name, 1, 65535, "must be a whole number from 1 to 65535"),
    ]),
  ) as unknown as HostPorts;

  // Two services cannot publish the same host port (only the ports this configuration publishes count).
  const byPort = new Map<number, SettingName[]>();
  for (const key of publishedPortKeys(kafka)) {
    const name = PORT_SETTINGS[key];
    const port = ports[key];
    if (Number.isNaN(port)) continue;
    if (kafka.mode === "kraft" && key.startsWith("kafka") && port === KRAFT_CONTROLLER_PORT) {
      problem(
        name,
        `${KRAFT_CONTROLLER_PORT} is the KRaft controllers' port inside the brokers' containers; choose another`,
      );
    }
    byPort.set(port, [...(byPort.get(port) ?? []), name]);
  }
  for (const names of byPort.values()) {
    if (names.length < 2) continue;
    for (const name of names) {
      const others = names.filter((n) => n !== name).join(", ");
      problem(name, `host port is also used by ${others}; give each service its own port`);
    }
  }

  const keyspace = raw("CASSANDRA_KEYSPACE");
  if (!CQL_IDENTIFIER.test(keyspace)) {
    problem(
      "CASSANDRA_KEYSPACE",
      "must be a CQL identifier: a lower-case letter, then up to 47 lower-case letters, digits or underscores",
    );
  }
  const replication = readReplication(settings);
  const datacenter = raw("CASSANDRA_DATACENTER");
  if (!DATACENTER_NAME.test(datacenter)) {
    problem("CASSANDRA_DATACENTER", "must be letters, digits, '_', '.' or '-', e.g. dc1");
  }

  if (settings.problems.length > 0) {
    // One line per setting, in the order of SETTINGS (and of .env.example); others after them.
    const documented: readonly string[] = SETTINGS.map((s) => s.name);
    const order = (name: string) => {
      const index = documented.indexOf(name);
      return index === -1 ? documented.length : index;
    };
    const problems = settings.problems;
    const firstPerSetting = problems.filter((p, i) => problems.findIndex((q) => q.name === p.name) === i);
    throw new ConfigError(firstPerSetting.sort((a, b) => order(a.name) - order(b.name)));
  }

  return {
    kafka,
    target,
    stateBackend,
    kafkaCluster,
    cassandraClient,
    topicDurability,
    topicsFromFile,
    stateLockTimeoutSeconds,
    terraformDeadlineSeconds,
    bindAddress,
    snapshotDir: raw("SNAPSHOT_DIR"),
    // A wildcard bind is reachable on loopback; a specific address only on itself.
    clientHost: bindAddress === "0.0.0.0" ? "127.0.0.1" : bindAddress === "::" ? "::1" : bindAddress,
    images,
    imageSettings,
    ports,
    cassandra: { keyspace, replication, datacenter },
  };
}
