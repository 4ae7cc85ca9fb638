import { createConnection } from "node:net";
import type { ServiceEndpoints } from "../app";
import { splitHostPort } from "../endpoint";
import { TOPICS, type TopicSpec } from "../topics";
import { docker } from "./docker-cli";
import { findProjectObjects } from "./project-objects";
import { CONTAINER_NAMES } from "../names";
import { connectAdmin, describeTopics, type LiveTopic } from "./kafka-admin";
import { parseSchemaSettings } from "../schema/schema-settings";
import { connectWhenReady, describeDriverError } from "../schema/connect";
import { verifySchema } from "../schema/verify";
import { CommandError } from "../errors";

/** One service's health: what Docker says and what a real client sees. */
export interface ServiceHealth {
  readonly service: "zookeeper" | "kafka" | "cassandra";
  readonly container: string;
  /** running, exited, missing, … */
  readonly state: string;
  /** healthy, unhealthy, starting, or none. */
  readonly dockerHealth: string;
  readonly ready: boolean;
  /** What the readiness probe found. */
  readonly detail: string;
}

export class NotDeployedError extends CommandError {
  override name = "NotDeployedError";
}


/**
 * Throws a NotDeployedError saying what to do when there are no containers:
 * never deployed, or stopped (volumes left).
 */
export function requireDeployed(): void {
  const found = findProjectObjects();
  if (found.containers.length > 0) return;
  throw new NotDeployedError(
    found.volumes.length > 0
      ? "the stack is stopped (its data volumes exist, its containers do not). Start it with npm run deploy."
      : "the stack is not deployed (no ChatBattle containers or volumes on this Docker engine). Deploy it with npm run deploy.",
  );
}

function containerState(name: string): { state: string; dockerHealth: string } {
  const text = docker(
    ["inspect", "--format", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", name],
    { allowFailure: true },
  );
  if (!text) return { state: "missing", dockerHealth: "none" };
  const [state, dockerHealth] = text.split(" ");
  return { state, dockerHealth };
}

/** ZooKeeper answers the `srvr` four-letter word with its mode. */
export function probeZooKeeper(host: string, port: number, timeoutMs = 3000): Promise<{ ready: boolean; detail: string }> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = createConnection({ host, port });
    const done = (ready: boolean, detail: string) => {
      socket.destroy();
      resolve({ ready, detail });
    };
    socket.setTimeout(timeoutMs, () => done(false, `no answer to srvr on ${host}:${port} within ${timeoutMs} ms`));
    socket.on("connect", () => socket.write("srvr\n"));
    socket.on("data", (d) => (reply += d));
    socket.on("error", (e) => done(false, `${host}:${port}: ${e.message}`));
    socket.on("end", () => {
      const mode = /Mode: (\w+)/.exec(reply)?.[1];
      done(Boolean(mode), mode ? `srvr: mode ${mode}` : `unexpected answer to srvr: ${reply.trim().slice(0, 80) || "(none)"}`);
    });
  });
}

/** Differences between a declared topic and what the broker has. */
export function topicDrift(declared: TopicSpec, live: LiveTopic | undefined): string[] {
  if (!live) return [`${declared.name}: missing`];
  const drift: string[] = [];
  if (live.partitions.length !== declared.partitions) {
    drift.push(`${declared.name}: ${live.partitions.length} partitions (declared ${declared.partitions})`);
  }
  const replicas = Math.min(...live.partitions.map((p) => p.replicas.length));
  if (live.partitions.length > 0 && replicas !== declared.replicationFactor) {
    drift.push(`${declared.name}: replication factor ${replicas} (declared ${declared.replicationFactor})`);
  }
  for (const key of new Set([...Object.keys(declared.config), ...Object.keys(live.overrides)])) {
    if (declared.config[key] !== live.overrides[key]) {
      drift.push(`${declared.name}: ${key}=${live.overrides[key] ?? "(broker default)"} (declared ${declared.config[key] ?? "(broker default)"})`);
    }
  }
  return drift;
}

async function probeKafka(bootstrap: string): Promise<{ ready: boolean; detail: string }> {
  let admin;
  try {
    admin = await connectAdmin(bootstrap);
    const cluster = await admin.describeCluster();
    const existing = new Set(await admin.listTopics());
    const live = await describeTopics(admin, TOPICS.map((t) => t.name).filter((n) => existing.has(n)));
    const drift = TOPICS.flatMap((t) => topicDrift(t, live.find((l) => l.name === t.name)));
    if (drift.length > 0) return { ready: false, detail: `topics drifted: ${drift.join("; ")}` };
    return { ready: true, detail: `${cluster.brokers.length} broker(s); ${TOPICS.length} topics as declared` };
  } catch (error) {
    return { ready: false, detail: `${bootstrap}: ${(error as Error).message}` };
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }
}

async function probeCassandra(
  endpoints: ServiceEndpoints,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ready: boolean; detail: string }> {
  const settings = { ...parseSchemaSettings(env, () => endpoints.cassandra), waitSeconds: 1 };
  let client;
  try {
    client = await connectWhenReady(settings, { log: () => undefined, readTimeoutMs: 5000 });
    const checks = await verifySchema(client, settings.keyspace, settings.replication);
    const bad = checks.filter((c) => !c.ok);
    return bad.length === 0
      ? { ready: true, detail: `CQL answers; schema matches cql/ (${checks.length} checks)` }
      : { ready: false, detail: `schema differs from cql/: ${bad.map((c) => `${c.what}: expected ${c.expected}, found ${c.actual}`).join("; ")}` };
  } catch (error) {
    // The unreachable error explains at length; a health row wants the cause.
    const message = describeDriverError(error).split("\n")[0];
    return { ready: false, detail: /Last error: (.*?)\. Is it running/.exec(message)?.[1] ?? message };
  } finally {
    await client?.shutdown();
  }
}

/** The health of every service; does not throw for unhealthy services. */
export async function checkHealth(
  endpoints: ServiceEndpoints,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ServiceHealth[]> {
  const zookeeper = splitHostPort(endpoints.zookeeper);
  const probes = {
    zookeeper: () => probeZooKeeper(zookeeper.host, zookeeper.port),
    kafka: () => probeKafka(endpoints.kafkaBootstrapServers),
    cassandra: () => probeCassandra(endpoints, env),
  };
  return Promise.all(
    (Object.keys(CONTAINER_NAMES) as ServiceHealth["service"][]).map(async (service) => {
      const container = CONTAINER_NAMES[service];
      const { state, dockerHealth } = containerState(container);
      const probe = state === "running" ? await probes[service]() : { ready: false, detail: `container is ${state}` };
      const dockerAgrees = dockerHealth === "healthy";
      const detail = probe.ready && !dockerAgrees ? `Docker reports ${dockerHealth}; ${probe.detail}` : probe.detail;
      return { service, container, state, dockerHealth, ready: probe.ready && dockerAgrees, detail };
    }),
  );
}
