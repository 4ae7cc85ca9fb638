import { existsSync } from "node:fs";
import { ConfigError, parseConfig, type ConfigProblem } from "../config/config";
import type { Replication } from "./render";

/**
 * Settings of the schema applier beyond the app's own. Each defaults to what
 * the app deploys, so against the local stack none is needed; against another
 * cluster they say where it is and how to log in.
 */
export const SCHEMA_SETTINGS = [
  {
    name: "CASSANDRA_CONTACT_POINTS",
    defaultValue: "the host BIND_ADDRESS is reachable on (127.0.0.1)",
    description: "Comma-separated hosts (host or host:port) the applier connects to.",
  },
  { name: "CASSANDRA_PORT", defaultValue: "CASSANDRA_CQL_PORT (9042)", description: "CQL port for contact points given without one." },
  {
    name: "CASSANDRA_LOCAL_DATACENTER",
    defaultValue: "CASSANDRA_DATACENTER (dc1)",
    description: "Datacenter the driver treats as local.",
  },
  {
    name: "CASSANDRA_REPLICATION",
    defaultValue: "unset: SimpleStrategy with CASSANDRA_REPLICATION_FACTOR",
    description: "Per-datacenter replication for NetworkTopologyStrategy, e.g. dc1:3,dc2:3. Overrides CASSANDRA_REPLICATION_FACTOR.",
  },
  { name: "CASSANDRA_USERNAME", defaultValue: "unset: no authentication", description: "User for PasswordAuthenticator." },
  { name: "CASSANDRA_PASSWORD", defaultValue: "unset", description: "Password of CASSANDRA_USERNAME. Never printed." },
  { name: "CASSANDRA_TLS", defaultValue: "false", description: "true to connect with TLS, verifying the server certificate." },
  {
    name: "CASSANDRA_TLS_CA_FILE",
    defaultValue: "unset: the system's trusted CAs",
    description: "PEM file of the CA that signed the server certificate.",
  },
  {
    name: "SCHEMA_WAIT_SECONDS",
    defaultValue: "120",
    description: "How long the applier waits for Cassandra to accept CQL before giving up.",
  },
] as const;

export interface SchemaSettings {
  readonly contactPoints: readonly string[];
  readonly port: number;
  readonly localDatacenter: string;
  readonly keyspace: string;
  readonly replication: Replication;
  /** Username and password, when authentication is on. */
  readonly credentials?: { readonly username: string; readonly password: string };
  readonly tls: false | { readonly caFile?: string };
  readonly waitSeconds: number;
}

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const DATACENTER_RF = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d+)$/;

/**
 * The applier's settings from `env`: the app's own settings (validated as
 * the app validates them) plus those in {@link SCHEMA_SETTINGS}. Throws a
 * ConfigError listing every bad value.
 */
export function parseSchemaSettings(env: Readonly<Record<string, string | undefined>>): SchemaSettings {
  const problems: ConfigProblem[] = [];
  let app;
  try {
    app = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const value = (name: string) => env[name]?.trim() || undefined;
  const problem = (name: string, allowed: string, defaultValue = "") =>
    problems.push({ name, value: env[name], defaultValue, allowed });

  // The driver takes IPv6 addresses in brackets, like [::1]:9042.
  const defaultHost = app?.clientHost.includes(":") ? `[${app.clientHost}]` : (app?.clientHost ?? "127.0.0.1");
  const contactPoints = (value("CASSANDRA_CONTACT_POINTS") ?? defaultHost)
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (contactPoints.length === 0 || !contactPoints.every((h) => HOST.test(h))) {
    problem("CASSANDRA_CONTACT_POINTS", "must be a comma-separated list of host or host:port, e.g. 10.0.0.1,10.0.0.2:9043");
  }

  let port = app?.ports.cassandraCql ?? 9042;
  if (value("CASSANDRA_PORT") !== undefined) {
    port = /^\d+$/.test(value("CASSANDRA_PORT")!) ? Number(value("CASSANDRA_PORT")) : NaN;
    if (!(port >= 1 && port <= 65535)) problem("CASSANDRA_PORT", "must be a whole number from 1 to 65535");
  }

  const localDatacenter = value("CASSANDRA_LOCAL_DATACENTER") ?? app?.cassandra.datacenter ?? "dc1";

  let replication: Replication = { strategy: "SimpleStrategy", replicationFactor: app?.cassandra.replicationFactor ?? 1 };
  const perDc = value("CASSANDRA_REPLICATION");
  if (perDc !== undefined) {
    const entries = perDc.split(",").map((e) => DATACENTER_RF.exec(e.trim()));
    const names = entries.map((m) => m?.[1]);
    if (entries.some((m) => !m || Number(m[2]) < 1) || new Set(names).size !== names.length) {
      problem("CASSANDRA_REPLICATION", "must be datacenter:factor pairs, each factor at least 1, each datacenter once, e.g. dc1:3,dc2:3");
    } else if (env.CASSANDRA_REPLICATION_FACTOR?.trim()) {
      problem("CASSANDRA_REPLICATION", "is set together with CASSANDRA_REPLICATION_FACTOR; set only one of them");
    } else {
      replication = {
        strategy: "NetworkTopologyStrategy",
        perDatacenter: Object.fromEntries(entries.map((m) => [m![1], Number(m![2])])),
      };
    }
  }

  const username = value("CASSANDRA_USERNAME");
  const password = env.CASSANDRA_PASSWORD;
  if (username && !password) problem("CASSANDRA_USERNAME", "is set but CASSANDRA_PASSWORD is not; set both or neither");
  if (!username && password) {
    // Never echo a password, not even a wrong one.
    problems.push({ name: "CASSANDRA_PASSWORD", value: "(hidden)", defaultValue: "", allowed: "is set but CASSANDRA_USERNAME is not; set both or neither" });
  }

  const tlsText = (value("CASSANDRA_TLS") ?? "false").toLowerCase();
  if (!["true", "false"].includes(tlsText)) problem("CASSANDRA_TLS", "must be true or false");
  const caFile = value("CASSANDRA_TLS_CA_FILE");
  if (caFile !== undefined && !existsSync(caFile)) problem("CASSANDRA_TLS_CA_FILE", "must be the path of an existing PEM file");
  if (caFile !== undefined && tlsText !== "true") problem("CASSANDRA_TLS_CA_FILE", "is set but CASSANDRA_TLS is not true");

  const waitText = value("SCHEMA_WAIT_SECONDS") ?? "120";
  const waitSeconds = /^\d+$/.test(waitText) ? Number(waitText) : NaN;
  if (!(waitSeconds >= 1 && waitSeconds <= 3600)) problem("SCHEMA_WAIT_SECONDS", "must be a whole number of seconds from 1 to 3600");

  if (problems.length > 0 || !app) throw new ConfigError(problems, "nothing was applied");
  return {
    contactPoints,
    port,
    localDatacenter,
    keyspace: app.cassandra.keyspace,
    replication,
    credentials: username && password ? { username, password } : undefined,
    tls: tlsText === "true" ? { caFile } : false,
    waitSeconds,
  };
}

/** The settings as they may be shown: the password never appears. */
export function describeSettings(s: SchemaSettings): string {
  const auth = s.credentials ? `user ${s.credentials.username}, password set` : "no authentication";
  return `${s.contactPoints.join(",")} port ${s.port}, local datacenter ${s.localDatacenter}, ${auth}, TLS ${s.tls ? "on" : "off"}`;
}
