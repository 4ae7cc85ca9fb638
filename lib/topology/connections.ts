/**
 * How the app's own clients reach Kafka and Cassandra, on either target: the
 * local stack's brokers and node as the topology places them, or the
 * clusters the settings name. Secrets (the SASL password, Cassandra's) are
 * read from the environment here, as a client is made, and never kept in
 * the configuration. The one place every command asks.
 */
import { readFileSync } from "node:fs";
import type { ChatBattleConfig } from "../config/config";
import { usesTls } from "../config/target";
import { localTopology } from "./local-topology";

type Env = Readonly<Record<string, string | undefined>>;

/** How a client reaches Kafka: the local brokers, or a cluster with its TLS and SASL. */
export interface KafkaClientTarget {
  readonly brokers: readonly string[];
  /** TLS, trusting the CA in this PEM text (undefined: the system's CAs). */
  readonly tls?: { readonly ca?: string };
  readonly sasl?: {
    readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
    readonly username: string;
    readonly password: string;
  };
  /** For messages: the mechanism and user, never the password. */
  readonly describe: string;
}

/** The Kafka the configuration points at, with the SASL user and password from the environment on a cluster. */
export function kafkaClientTarget(config: ChatBattleConfig, env: Env): KafkaClientTarget {
  const cluster = config.kafkaCluster;
  if (!cluster) {
    const brokers = localTopology(config).kafkaBrokers;
    return { brokers, describe: brokers.join(",") };
  }
  const tls = usesTls(cluster.securityProtocol);
  const mechanism = cluster.saslMechanism?.toLowerCase() as
    NonNullable<KafkaClientTarget["sasl"]>["mechanism"] | undefined;
  const sasl = mechanism
    ? { mechanism, username: env.KAFKA_SASL_USERNAME!.trim(), password: env.KAFKA_SASL_PASSWORD! }
    : undefined;
  return {
    brokers: cluster.bootstrapServers,
    tls: tls ? { ca: cluster.caFile && readFileSync(cluster.caFile, "utf8") } : undefined,
    sasl,
    describe: `${cluster.bootstrapServers.join(",")} (${cluster.securityProtocol}${sasl ? `, ${cluster.saslMechanism} as ${sasl.username}` : ""})`,
  };
}

/** How a CQL client reaches Cassandra: the deployed node or a cluster's nodes, with the password from the environment. */
export interface CassandraConnection {
  /** Host or host:port each; a host without a port uses `port`. */
  readonly contactPoints: readonly string[];
  readonly port: number;
  readonly localDatacenter: string;
  /** Username and password, when authentication is on. */
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly tls: false | { readonly caFile?: string };
  /** How long a client waits for the node to accept CQL. */
  readonly waitSeconds: number;
}

/**
 * The Cassandra the configuration points at: what the settings give, the
 * deployed node (where the topology places it) for what they leave unset,
 * and CASSANDRA_PASSWORD from the environment.
 */
export function cassandraConnection(config: ChatBattleConfig, env: Env): CassandraConnection {
  const client = config.cassandraClient;
  const node = config.target === "local" ? localTopology(config).cassandra : undefined;
  return {
    contactPoints: client.contactPoints ?? (node ? [node.contactPoint] : []),
    port: client.port ?? config.ports.cassandraCql,
    localDatacenter: client.localDatacenter ?? node?.datacenter ?? "",
    credentials: client.username ? { username: client.username, password: env.CASSANDRA_PASSWORD!.trim() } : undefined,
    tls: client.tls,
    waitSeconds: client.waitSeconds,
  };
}

/** Each contact point as host:port, the port filled in where none was given (IPv6 hosts come bracketed). */
export function contactEndpoints(c: Pick<CassandraConnection, "contactPoints" | "port">): string[] {
  return c.contactPoints.map((h) => (/:\d+$/.test(h) ? h : `${h}:${c.port}`));
}

/** The connection as it may be shown: the password never appears. */
export function describeConnection(c: CassandraConnection): string {
  const auth = c.credentials ? `user ${c.credentials.username}, password set` : "no authentication";
  return `${contactEndpoints(c).join(",")}, local datacenter ${c.localDatacenter}, ${auth}, TLS ${c.tls ? "on" : "off"}`;
}
