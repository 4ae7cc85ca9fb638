import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { settingSpec, type SettingName } from "./settings";
import type { SettingsReader } from "./settings-reader";
import type { Target } from "./target";

/**
 * How the app's CQL clients (the schema applier, health, the data-loss gate,
 * snapshots) reach Cassandra, as the settings give it. What is left
 * undefined is the deployed node's, filled in where the topology places it
 * (lib/topology/connections.ts). The password is only checked for here: it
 * is read from the environment when a client is made, never kept.
 */
export interface CassandraClientSettings {
  /** CASSANDRA_CONTACT_POINTS, host or host:port each; undefined: the deployed node. */
  readonly contactPoints?: readonly string[];
  /** CASSANDRA_PORT; undefined: the deployed node's published CQL port. */
  readonly port?: number;
  /** CASSANDRA_LOCAL_DATACENTER; undefined: the deployed node's datacenter. */
  readonly localDatacenter?: string;
  /** CASSANDRA_USERNAME, when authentication is on (CASSANDRA_PASSWORD is then set too). */
  readonly username?: string;
  /** TLS, trusting the CA in this absolute PEM path (undefined: the system's CAs); false: no TLS. */
  readonly tls: false | { readonly caFile?: string };
  /** SCHEMA_WAIT_SECONDS: how long a client waits for Cassandra to accept CQL. */
  readonly waitSeconds: number;
}

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Reads the client settings (group "applier" in SETTINGS), each problem
 * recorded on `settings`. On a cluster there is no deployed node to fall
 * back on, so the contact points and the datacenter are required; locally,
 * what is left unset is the deployed node's.
 */
export function readCassandraClient(settings: SettingsReader, target: Target): CassandraClientSettings {
  const value = (name: SettingName) => settings.get(name, settingSpec(name).defaultValue);

  const contactPointsText = value("CASSANDRA_CONTACT_POINTS");
  const localDatacenterText = value("CASSANDRA_LOCAL_DATACENTER");
  if (target === "cluster") {
    if (contactPointsText === undefined) {
      settings.problem(
        "CASSANDRA_CONTACT_POINTS",
        "is required with CHATBATTLE_TARGET=cluster: the cluster's nodes, e.g. cassandra-1.example.com,cassandra-2.example.com",
        "unset",
      );
    }
    if (localDatacenterText === undefined) {
      settings.problem(
        "CASSANDRA_LOCAL_DATACENTER",
        "is required with CHATBATTLE_TARGET=cluster: the datacenter of the contact points, e.g. dc1",
        "unset",
      );
    }
  }
  const contactPoints = (contactPointsText ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (contactPointsText !== undefined && (contactPoints.length === 0 || !contactPoints.every((h) => HOST.test(h)))) {
    settings.problem(
      "CASSANDRA_CONTACT_POINTS",
      "must be a comma-separated list of host or host:port, e.g. 10.0.0.1,10.0.0.2:9043,[::1]:9044",
    );
  }

  let port: number | undefined;
  const portText = value("CASSANDRA_PORT");
  if (portText !== undefined) {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) settings.problem("CASSANDRA_PORT", "must be a whole number from 1 to 65535");
  }

  const username = value("CASSANDRA_USERNAME");
  const password = settings.get("CASSANDRA_PASSWORD", settingSpec("CASSANDRA_PASSWORD").defaultValue);
  if (username && !password)
    settings.problem("CASSANDRA_USERNAME", "is set but CASSANDRA_PASSWORD is not; set both or neither");
  if (!username && password) {
    settings.problem("CASSANDRA_PASSWORD", "is set but CASSANDRA_USERNAME is not; set both or neither", "", {
      hideValue: true,
    });
  }

  const tlsText = (value("CASSANDRA_TLS") ?? "false").toLowerCase();
  if (!["true", "false"].includes(tlsText)) settings.problem("CASSANDRA_TLS", "must be true or false");
  const caFile = value("CASSANDRA_TLS_CA_FILE");
  if (caFile !== undefined && !existsSync(caFile))
    settings.problem("CASSANDRA_TLS_CA_FILE", "must be the path of an existing PEM file");
  if (caFile !== undefined && tlsText !== "true")
    settings.problem("CASSANDRA_TLS_CA_FILE", "is set but CASSANDRA_TLS is not true");

  const waitText = value("SCHEMA_WAIT_SECONDS") ?? "120";
  const waitSeconds = /^\d+$/.test(waitText) ? Number(waitText) : NaN;
  if (!(waitSeconds >= 1 && waitSeconds <= 3600))
    settings.problem("SCHEMA_WAIT_SECONDS", "must be a whole number of seconds from 1 to 3600");

  return {
    contactPoints: contactPointsText === undefined ? undefined : contactPoints,
    port,
    localDatacenter: localDatacenterText,
    username: username && password ? username : undefined,
    // Absolute, so that it means the same file wherever Terraform runs the step.
    tls: tlsText === "true" ? { caFile: caFile && resolve(caFile) } : false,
    waitSeconds,
  };
}
