import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, parseConfig, type ChatBattleConfig, type Replication } from "../config/config";
import { SettingsReader } from "../config/settings-reader";
import { settingSpec, type SettingName } from "../config/settings";
import { replicationSettings } from "../config/replication";
import { localTopology } from "../topology/local-topology";

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

/** Whether the applier falls back to the deployed node: no contact points or no local datacenter given. */
function needsDeployedCassandra(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.CASSANDRA_CONTACT_POINTS === undefined || env.CASSANDRA_LOCAL_DATACENTER === undefined;
}

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The applier's settings from `env`: the app's own settings (validated as
 * the app validates them) plus the applier's own (group "applier" in SETTINGS), with the one
 * rule for an empty value that the app uses. Unset contact points and local
 * datacenter mean the deployed node, where the topology places it. Throws a
 * ConfigError listing every bad value.
 */
export function parseSchemaSettings(
  env: Readonly<Record<string, string | undefined>>,
  /** The app's configuration when the caller has parsed it already: it is then not parsed a second time. */
  parsed?: ChatBattleConfig,
): SchemaSettings {
  const settings = new SettingsReader(env);
  let app: ChatBattleConfig | undefined = parsed;
  try {
    app ??= parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    settings.problems.push(...error.problems);
  }
  const shown = (name: SettingName) => settingSpec(name).defaultValue;
  const value = (name: SettingName) => settings.get(name, shown(name));

  const contactPointsText = value("CASSANDRA_CONTACT_POINTS");
  const localDatacenterText = value("CASSANDRA_LOCAL_DATACENTER");
  // On a cluster there is no deployed node to fall back on: both must be given.
  const onCluster = app?.target === "cluster";
  if (onCluster) {
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
  // The deployed node, where the topology places it.
  const local = app && !onCluster && needsDeployedCassandra(env) ? localTopology(app).cassandra : undefined;

  const contactPoints = (contactPointsText ?? local?.contactPoint ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (contactPointsText !== undefined && (contactPoints.length === 0 || !contactPoints.every((h) => HOST.test(h)))) {
    settings.problem(
      "CASSANDRA_CONTACT_POINTS",
      "must be a comma-separated list of host or host:port, e.g. 10.0.0.1,10.0.0.2:9043,[::1]:9044",
    );
  }

  let port = app?.ports.cassandraCql ?? 9042;
  const portText = value("CASSANDRA_PORT");
  if (portText !== undefined) {
    port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) settings.problem("CASSANDRA_PORT", "must be a whole number from 1 to 65535");
  }

  const localDatacenter = localDatacenterText ?? local?.datacenter ?? "";

  const username = value("CASSANDRA_USERNAME");
  const password = settings.get("CASSANDRA_PASSWORD", shown("CASSANDRA_PASSWORD"));
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

  if (settings.problems.length > 0 || !app) throw new ConfigError(settings.problems, "nothing was applied");
  return {
    contactPoints,
    port,
    localDatacenter,
    keyspace: app.cassandra.keyspace,
    replication: app.cassandra.replication,
    credentials: username && password ? { username, password } : undefined,
    // Absolute, so that it means the same file wherever Terraform runs the step.
    tls: tlsText === "true" ? { caFile: caFile && resolve(caFile) } : false,
    waitSeconds,
  };
}

/** Each contact point as host:port, CASSANDRA_PORT filled in where none was given (IPv6 hosts come bracketed). */
export function contactEndpoints(s: Pick<SchemaSettings, "contactPoints" | "port">): string[] {
  return s.contactPoints.map((h) => (/:\d+$/.test(h) ? h : `${h}:${s.port}`));
}

/** The settings as they may be shown: the password never appears. */
export function describeSettings(s: SchemaSettings): string {
  const auth = s.credentials ? `user ${s.credentials.username}, password set` : "no authentication";
  return `${contactEndpoints(s).join(",")}, local datacenter ${s.localDatacenter}, ${auth}, TLS ${s.tls ? "on" : "off"}`;
}

/**
 * The settings as the applier reads them back from its environment, minus
 * the credentials: what the schema step on a cluster passes to the applier
 * and re-runs on when it changes. The user and password stay in the
 * environment of whoever runs the deploy, out of cdktf.out and the state.
 */
export function applierEnvironment(s: SchemaSettings): Record<string, string> {
  return {
    CASSANDRA_CONTACT_POINTS: contactEndpoints(s).join(","),
    CASSANDRA_LOCAL_DATACENTER: s.localDatacenter,
    CASSANDRA_KEYSPACE: s.keyspace,
    ...replicationSettings(s.replication),
    CASSANDRA_TLS: String(Boolean(s.tls)),
    ...(s.tls && s.tls.caFile ? { CASSANDRA_TLS_CA_FILE: s.tls.caFile } : {}),
  };
}
