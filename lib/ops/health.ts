import { createConnection } from "node:net";
import type { ServiceEndpoints } from "../app";
import { splitHostPort } from "../endpoint";
import { declaredTopics, type TopicSpec } from "../topics";
import type { ChatBattleConfig } from "../config/config";
import { docker } from "./docker-cli";
import { findProjectObjects } from "./project-objects";
import { CONTAINER_NAMES } from "../names";
import { connectAdmin, describeTopics, kafkaClientTarget, type KafkaClientTarget, type LiveTopic } from "./kafka-admin";
import { contactEndpoints, parseSchemaSettings, type DeployedCassandra } from "../schema/schema-settings";
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

/**
 * The under-replicated partitions (in-sync replicas fewer than replicas), one
 * entry per topic: its partitions by number, and how many replicas are in
 * sync, e.g. "twitch-chat-messages 0,1,2 (2 of 3 in sync)". Internal topics
 * with dozens of partitions are counted rather than listed.
 */
export function underReplicatedPartitions(topics: readonly LiveTopic[]): { count: number; byTopic: string[] } {
  let count = 0;
  const byTopic = topics.flatMap((topic) => {
    const lagging = topic.partitions.filter((p) => p.isr.length < p.replicas.length);
    if (lagging.length === 0) return [];
    count += lagging.length;
    const inSync = [...new Set(lagging.map((p) => `${p.isr.length} of ${p.replicas.length}`))].join(", ");
    const which = lagging.length <= 8 ? lagging.map((p) => p.partition).join(",") : `${lagging.length} partitions`;
    return [`${topic.name} ${which} (${inSync} in sync)`];
  });
  return { count, byTopic };
}

/**
 * What a Kafka client sees: brokers online, brokers that partitions name as
 * replicas but that are not in the cluster (offline), under-replicated
 * partitions of every topic, and the declared topics as declared.
 */
export async function probeKafka(target: KafkaClientTarget, declared: readonly TopicSpec[]): Promise<{ ready: boolean; detail: string }> {
  let admin;
  try {
    admin = await connectAdmin(target);
    const cluster = await admin.describeCluster();
    const names = await admin.listTopics();
    const declaredNames = declared.map((t) => t.name);
    const live = (await describeTopics(admin, names)).sort(
      (a, b) => Number(!declaredNames.includes(a.name)) - Number(!declaredNames.includes(b.name)) || a.name.localeCompare(b.name),
    );
    const online = new Set(cluster.brokers.map((b) => b.nodeId));
    const offline = [...new Set(live.flatMap((t) => t.partitions.flatMap((p) => [...p.replicas, ...p.offlineReplicas])))].filter((id) => !online.has(id)).sort((a, b) => a - b);
    const underReplicated = underReplicatedPartitions(live);
    const drift = declared.flatMap((t) => topicDrift(t, live.find((l) => l.name === t.name)));
    const problems = [
      ...(offline.length > 0 ? [`broker(s) ${offline.join(", ")} offline`] : []),
      ...(underReplicated.count > 0 ? [`${underReplicated.count} under-replicated partition(s): ${underReplicated.byTopic.join("; ")}`] : []),
      ...(drift.length > 0 ? [`topics drifted: ${drift.join("; ")}`] : []),
    ];
    const brokers = `${online.size} broker(s) online`;
    return problems.length > 0
      ? { ready: false, detail: `${brokers}; ${problems.join("; ")}` }
      : { ready: true, detail: `${brokers}; ${declared.length} topics as declared; no under-replicated partitions` };
  } catch (error) {
    return { ready: false, detail: error instanceof CommandError ? error.message : `${target.describe}: ${(error as Error).message}` };
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }
}

/** Whether CQL answers and the schema matches cql/, for the applier's settings (the deployed node by default). */
export async function probeCassandra(
  env: Readonly<Record<string, string | undefined>>,
  deployed: () => DeployedCassandra,
): Promise<{ ready: boolean; detail: string }> {
  const settings = { ...parseSchemaSettings(env, deployed), waitSeconds: 1 };
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
  config: ChatBattleConfig,
  endpoints: ServiceEndpoints,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ServiceHealth[]> {
  const zookeeper = splitHostPort(endpoints.zookeeper);
  const kafka = kafkaClientTarget(config, env, () => endpoints.kafkaBootstrapServers);
  const probes = {
    zookeeper: () => probeZooKeeper(zookeeper.host, zookeeper.port),
    kafka: () => probeKafka(kafka, declaredTopics(config.topicDurability)),
    cassandra: () => probeCassandra(env, () => endpoints.cassandra),
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

/** One service of an existing cluster, as a client sees it. */
export interface ClusterServiceHealth {
  readonly service: "kafka" | "cassandra";
  /** Where it was asked: bootstrap servers or contact points. */
  readonly endpoint: string;
  readonly ready: boolean;
  readonly detail: string;
}

/** The health of the cluster target's Kafka and Cassandra; does not throw for unhealthy services. */
export async function checkClusterHealth(config: ChatBattleConfig, env: Readonly<Record<string, string | undefined>>): Promise<ClusterServiceHealth[]> {
  const kafka = kafkaClientTarget(config, env, () => {
    throw new Error("not the local target");
  });
  const noDeployedNode = () => {
    throw new Error("a cluster target has no deployed Cassandra");
  };
  const cassandraEndpoint = contactEndpoints(parseSchemaSettings(env, noDeployedNode)).join(",");
  const [kafkaProbe, cassandraProbe] = await Promise.all([
    probeKafka(kafka, declaredTopics(config.topicDurability)),
    probeCassandra(env, noDeployedNode),
  ]);
  return [
    { service: "kafka", endpoint: kafka.brokers.join(","), ...kafkaProbe },
    { service: "cassandra", endpoint: cassandraEndpoint, ...cassandraProbe },
  ];
}
