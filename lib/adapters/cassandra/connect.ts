import cassandra from "cassandra-driver";
import { readFileSync } from "node:fs";
import { contactEndpoints, type CassandraConnection } from "../../topology/connections";
import { CommandError, ServiceUnreachableError } from "../../errors";
import { sessionOf, type CqlSession } from "./cql-session";
import { cqlOptionsUnanswered } from "./cql-options";
import { splitHostPort } from "../../endpoint";

export type { CqlSession } from "./cql-session";

/** Cassandra did not accept CQL within the wait. */
export class CassandraUnreachableError extends ServiceUnreachableError {
  override name = "CassandraUnreachableError";
}

/** Cassandra answered but refused the settings (credentials, certificate, datacenter): retrying cannot help. */
export class CassandraRefusedError extends CommandError {
  override name = "CassandraRefusedError";
}

const UNKNOWN_DATACENTER = /localDataCenter was configured as '(.*)', but only found hosts in data centers: \[(.*)\]/;

/**
 * The refusal, in words that name the setting to change, when `error` is one
 * that no retry can cure; undefined otherwise.
 */
function permanentRefusal(error: unknown, where: string): string | undefined {
  const datacenter = UNKNOWN_DATACENTER.exec(error instanceof Error ? error.message : "");
  if (datacenter) {
    return (
      `Cassandra at ${where} has no datacenter named '${datacenter[1]}'; its nodes are in: ${datacenter[2]}. ` +
      "Set CASSANDRA_LOCAL_DATACENTER to one of them (for the deployed node, CASSANDRA_DATACENTER names it)."
    );
  }
  if (isPermanent(error)) {
    return (
      `Cassandra at ${where} refused the connection: ${describeDriverError(error)}. ` +
      "Check CASSANDRA_USERNAME/CASSANDRA_PASSWORD and CASSANDRA_TLS/CASSANDRA_TLS_CA_FILE."
    );
  }
  return undefined;
}

/** How long one try waits for an answer while a node may still be starting. */
const PROBE_READ_TIMEOUT_MS = 2000;

/** How long the OPTIONS question waits for its answer, and the pause between two of them. */
const OPTIONS_TIMEOUT_MS = 500;
const OPTIONS_PAUSE_MS = 100;

/** Undefined when a contact point answers an OPTIONS request (see cqlOptionsUnanswered); else why none did. */
async function noContactPointAnswers(settings: CassandraConnection): Promise<string | undefined> {
  const whyNot = await Promise.all(
    contactEndpoints(settings).map((endpoint) => {
      const { host, port } = splitHostPort(endpoint);
      return cqlOptionsUnanswered(host, port, OPTIONS_TIMEOUT_MS);
    }),
  );
  return whyNot.includes(undefined) ? undefined : whyNot.join("; ");
}

/** Driver options for the settings. The password goes only to the driver. */
function clientOptions(
  settings: CassandraConnection,
  connectTimeoutMs: number,
  readTimeoutMs = 60_000,
): cassandra.ClientOptions {
  return {
    contactPoints: [...settings.contactPoints],
    protocolOptions: { port: settings.port, maxSchemaAgreementWaitSeconds: 30 },
    localDataCenter: settings.localDatacenter,
    credentials: settings.credentials ? { ...settings.credentials } : undefined,
    sslOptions: settings.tls
      ? { rejectUnauthorized: true, ca: settings.tls.caFile ? [readFileSync(settings.tls.caFile)] : undefined }
      : undefined,
    socketOptions: { connectTimeout: connectTimeoutMs, readTimeout: readTimeoutMs },
    // One attempt per connect() call: this module does the retrying, with progress output.
    policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000) },
  };
}

/** The most useful line of a driver error: NoHostAvailable hides the cause per host. */
export function describeDriverError(error: unknown): string {
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    const inner = Object.entries(error.innerErrors ?? {}).map(([host, e]) => `${host}: ${(e as Error).message ?? e}`);
    if (inner.length > 0) return inner.join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}

/** Authentication and certificate failures: retrying cannot help. */
function isPermanent(error: unknown): boolean {
  const inner =
    error instanceof cassandra.errors.NoHostAvailableError ? Object.values(error.innerErrors ?? {}) : [error];
  const certificateProblem = (e: unknown) =>
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(String((e as NodeJS.ErrnoException)?.code ?? ""));
  return (
    inner.length > 0 && inner.every((e) => e instanceof cassandra.errors.AuthenticationError || certificateProblem(e))
  );
}

export interface WaitOptions {
  /** Progress lines go here. */
  readonly log: (line: string) => void;
  /**
   * First pause between tries (default 250 ms); doubled after each failure up
   * to maxDelayMs (default 250 ms: a steady pace). A refused connection costs
   * next to nothing, and a node starting up is noticed within a fraction of a
   * second of its first answer.
   */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long one request may take; a node that accepts connections but not yet CQL hangs here. @default 60000 */
  readonly readTimeoutMs?: number;
}

/**
 * Connects once Cassandra accepts CQL, trying until settings.waitSeconds
 * have passed, with growing pauses and a progress line per failed try.
 * Without TLS, each try of the driver waits until a contact point answers
 * the protocol's OPTIONS request, asked every 100 ms: a starting node's
 * first answer is noticed within a fraction of a second, not after a try of
 * the driver's that hangs until its read timeout.
 * Fails with a CassandraUnreachableError naming host:port and the last error.
 */
export async function connectWhenReady(settings: CassandraConnection, options: WaitOptions): Promise<CqlSession> {
  const where = contactEndpoints(settings).join(", ");
  const started = Date.now();
  const deadline = started + settings.waitSeconds * 1000;
  const fullReadTimeout = options.readTimeoutMs ?? 60_000;
  let delay = options.initialDelayMs ?? 250;
  let lastError = "";
  let lastSaid = "";
  let saidAt = 0;
  const unreachable = (attempt: number, error: string) =>
    new CassandraUnreachableError(
      `Cassandra at ${where} did not accept CQL within ${settings.waitSeconds} s (${attempt} tries). Last error: ${error}. ` +
        "Is it running and healthy (npm run health)? " +
        "Check CASSANDRA_CONTACT_POINTS/CASSANDRA_PORT, or give it longer with SCHEMA_WAIT_SECONDS.",
    );
  // A line when the reason changes, else one every 10 s: tries come often while a node starts.
  const say = (attempt: number, left: number, pause: number) => {
    if (lastError === lastSaid && Date.now() - saidAt < 10_000) return;
    options.log(
      `waiting for Cassandra at ${where}: try ${attempt} failed (${lastError}); trying every ${(pause / 1000).toFixed(2)} s, ${Math.ceil(left / 1000)} s left`,
    );
    lastSaid = lastError;
    saidAt = Date.now();
  };
  for (let attempt = 1; ; attempt += 1) {
    const unanswered = settings.tls ? undefined : await noContactPointAnswers(settings);
    if (unanswered) {
      lastError = unanswered;
      const left = deadline - Date.now();
      if (left <= 0) throw unreachable(attempt, lastError);
      say(attempt, left, OPTIONS_PAUSE_MS);
      await new Promise((resolve) => setTimeout(resolve, Math.min(OPTIONS_PAUSE_MS, left)));
      continue;
    }
    const connectTimeout = Math.max(500, Math.min(5000, deadline - Date.now()));
    // A starting node can accept a connection and not answer yet: each try gives up after a few
    // seconds, and only a node that answered gets the client with the full read timeout.
    let client = new cassandra.Client(
      clientOptions(settings, connectTimeout, Math.min(PROBE_READ_TIMEOUT_MS, fullReadTimeout)),
    );
    try {
      await client.connect();
      await client.execute("SELECT release_version FROM system.local");
      if (fullReadTimeout > PROBE_READ_TIMEOUT_MS) {
        await client.shutdown();
        client = new cassandra.Client(clientOptions(settings, connectTimeout, fullReadTimeout));
        await client.connect();
      }
      if (attempt > 1) options.log(`Cassandra at ${where} accepts CQL (after ${secondsSince(started)} s)`);
      return sessionOf(client);
    } catch (error) {
      lastError = describeDriverError(error);
      await client.shutdown().catch(() => undefined);
      // Wrong credentials, TLS settings or datacenter do not fix themselves: fail now, not at the deadline.
      const refusal = permanentRefusal(error, where);
      if (refusal) throw new CassandraRefusedError(refusal);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw unreachable(attempt, lastError);
    const pause = Math.min(delay, left);
    say(attempt, left, pause);
    await new Promise((resolve) => setTimeout(resolve, pause));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 250);
  }
}

function secondsSince(start: number): string {
  return ((Date.now() - start) / 1000).toFixed(1);
}
