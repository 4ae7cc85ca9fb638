import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { SettingsReader } from "./settings-reader";

/** Where the topics and schema go: the Docker stack on this machine, or clusters that already exist. */
export type Target = "local" | "cluster";
/** Where Terraform keeps each stack's state. */
export type StateBackend = "local" | "pg";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * How to reach an existing Kafka cluster. No secret: the SASL user and
 * password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD) are read from the
 * environment by whoever connects, the Kafka provider included, so they never
 * reach a synthesized file or a state.
 */
export interface KafkaConnection {
  readonly bootstrapServers: readonly string[];
  readonly securityProtocol: SecurityProtocol;
  /** Set exactly when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  readonly saslMechanism?: SaslMechanism;
  /** PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL); unset: the system's CAs. */
  readonly caFile?: string;
}

/** Whether clients speak TLS to brokers with this protocol. */
export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === "SSL" || protocol === "SASL_SSL";
}

/** How durable the declared topics are: the same definitions, per target. */
export interface TopicDurability {
  readonly replicationFactor: number;
  /** min.insync.replicas for each topic; undefined leaves the broker's default. */
  readonly minInsyncReplicas?: number;
  /** Partitions of every topic; undefined keeps each topic's own. */
  readonly partitions?: number;
}

const BROKER_ADDRESS = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
const SASL_SETTINGS = ["KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const;

function wholeNumber(
  settings: SettingsReader,
  name: string,
  shownDefault: string,
  min: number,
  max: number,
): number | undefined {
  const text = settings.get(name, shownDefault);
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    settings.problem(name, `must be a whole number from ${min} to ${max}`, shownDefault);
    return undefined;
  }
  return value;
}

/** CHATBATTLE_TARGET and STATE_BACKEND (PG_CONN_STR must be set for pg; its value is never shown). */
export function readTarget(settings: SettingsReader): { target: Target; stateBackend: StateBackend } {
  const target = settings.oneOf("CHATBATTLE_TARGET", ["local", "cluster"] as const, "local");
  const stateBackend = settings.oneOf("STATE_BACKEND", ["local", "pg"] as const, "local");
  const hasConnStr = settings.isSet("PG_CONN_STR");
  if (stateBackend === "pg" && !hasConnStr) {
    settings.problem(
      "PG_CONN_STR",
      "is required with STATE_BACKEND=pg: a postgres:// URL of the state database, in the environment",
      "unset",
    );
  }
  return { target, stateBackend };
}

/**
 * The existing cluster's Kafka settings; undefined for the local target,
 * where the broker's construct says how to reach it and only PLAINTEXT exists.
 */
export function readKafkaConnection(settings: SettingsReader, target: Target): KafkaConnection | undefined {
  const protocol = settings.oneOf("KAFKA_SECURITY_PROTOCOL", SECURITY_PROTOCOLS, "PLAINTEXT");
  const serversText = settings.get("KAFKA_BOOTSTRAP_SERVERS", "unset");
  const caFile = settings.get("KAFKA_CA_CERT", "unset");
  if (target === "local") {
    if (serversText !== undefined) {
      settings.problem(
        "KAFKA_BOOTSTRAP_SERVERS",
        "is for CHATBATTLE_TARGET=cluster; the local target deploys its own broker. Remove it, or set CHATBATTLE_TARGET=cluster",
      );
    }
    if (protocol !== "PLAINTEXT")
      settings.problem(
        "KAFKA_SECURITY_PROTOCOL",
        "must be PLAINTEXT on the local target: the local broker has no TLS or SASL",
      );
    for (const name of [...SASL_SETTINGS, "KAFKA_CA_CERT"]) {
      if (settings.isSet(name))
        settings.problem(name, "is for CHATBATTLE_TARGET=cluster; the local broker has no TLS or SASL", "unset", {
          hideValue: name === "KAFKA_SASL_PASSWORD",
        });
    }
    return undefined;
  }

  // With an unknown protocol, which SASL and TLS settings belong is unknown: check them once it is fixed.
  const protocolKnown = !settings.problems.some((p) => p.name === "KAFKA_SECURITY_PROTOCOL");
  const bootstrapServers = (serversText ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (serversText === undefined) {
    settings.problem(
      "KAFKA_BOOTSTRAP_SERVERS",
      "is required with CHATBATTLE_TARGET=cluster: the brokers as host:port, comma-separated, e.g. kafka-1.example.com:9093,kafka-2.example.com:9093",
      "unset",
    );
  } else if (bootstrapServers.length === 0 || !bootstrapServers.every((s) => BROKER_ADDRESS.test(s))) {
    settings.problem(
      "KAFKA_BOOTSTRAP_SERVERS",
      "must be a comma-separated list of host:port, e.g. kafka-1.example.com:9093,10.0.0.2:9093",
      "unset",
    );
  }

  const sasl = protocol.startsWith("SASL_");
  let saslMechanism: SaslMechanism | undefined;
  if (!protocolKnown) {
    // Reported above.
  } else if (sasl) {
    // A value set but empty is reported by get() first; the problems list keeps the first per setting.
    if (settings.get("KAFKA_SASL_MECHANISM", "unset") === undefined) {
      settings.problem(
        "KAFKA_SASL_MECHANISM",
        `is required with KAFKA_SECURITY_PROTOCOL=${protocol}: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
        "unset",
      );
    } else {
      saslMechanism = settings.oneOf("KAFKA_SASL_MECHANISM", SASL_MECHANISMS, "SCRAM-SHA-512");
    }
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (settings.get(name, "unset") === undefined) {
        settings.problem(
          name,
          `is required with KAFKA_SECURITY_PROTOCOL=${protocol}; set it in the environment`,
          "unset",
        );
      }
    }
  } else {
    for (const name of SASL_SETTINGS) {
      // The Kafka provider turns SASL on whenever it finds a user in the environment: refuse the mix-up.
      if (settings.isSet(name))
        settings.problem(
          name,
          `is set but KAFKA_SECURITY_PROTOCOL=${protocol} uses no SASL; unset it or choose SASL_SSL or SASL_PLAINTEXT`,
          "unset",
          { hideValue: name === "KAFKA_SASL_PASSWORD" },
        );
    }
  }

  if (caFile !== undefined && !usesTls(protocol) && protocolKnown)
    settings.problem("KAFKA_CA_CERT", `is set but KAFKA_SECURITY_PROTOCOL=${protocol} uses no TLS`, "unset");
  else if (caFile !== undefined && !existsSync(caFile))
    settings.problem("KAFKA_CA_CERT", "must be the path of an existing PEM file", "unset");

  // Absolute: Terraform runs the provider in cdktf.out/stacks/topics.
  return { bootstrapServers, securityProtocol: protocol, saslMechanism, caFile: caFile && resolve(caFile) };
}

/** Replication, min.insync.replicas and partitions of the topics, with the target's defaults. */
export function readTopicDurability(settings: SettingsReader, target: Target, localBrokers: number): TopicDurability {
  const cluster = target === "cluster";
  // Locally, more than one broker means the user wants a broker to be able to go: the topics
  // then get what the internal topics get, replication min(3, brokers) and min.insync.replicas
  // min(2, brokers). One broker keeps the seed's replication of 1.
  const spread = !cluster && localBrokers > 1;
  const localDefault = Math.min(3, localBrokers);
  const explicitFactor = wholeNumber(
    settings,
    "KAFKA_TOPIC_REPLICATION_FACTOR",
    cluster ? "3" : String(localDefault),
    1,
    32767,
  );
  const replicationFactor = explicitFactor ?? (cluster ? 3 : localDefault);
  if (!cluster && replicationFactor > localBrokers) {
    settings.problem(
      "KAFKA_TOPIC_REPLICATION_FACTOR",
      `must be at most KAFKA_BROKERS (${localBrokers}) on the local target: each replica needs a broker of its own`,
      "1",
    );
  }
  const explicitMinimum = wholeNumber(settings, "KAFKA_MIN_INSYNC_REPLICAS", cluster ? "2" : "unset", 1, 32767);
  if (explicitMinimum !== undefined && explicitMinimum > replicationFactor) {
    settings.problem(
      "KAFKA_MIN_INSYNC_REPLICAS",
      `must be at most the replication factor (${replicationFactor}), or no write with acks=all could succeed`,
    );
  }
  const minInsyncReplicas =
    explicitMinimum ??
    (cluster
      ? Math.min(2, replicationFactor)
      : spread && explicitFactor === undefined
        ? Math.min(2, localBrokers)
        : undefined);
  const partitions = wholeNumber(settings, "KAFKA_TOPIC_PARTITIONS", "each topic's own", 1, 10000);
  return { replicationFactor, minInsyncReplicas, partitions };
}
