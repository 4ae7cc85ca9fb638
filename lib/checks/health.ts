import { createConnection } from "node:net";
import { splitHostPort } from "../endpoint";
import { declaredTopics, topicDefinitions, type TopicSpec } from "../topics";
import type { ChatBattleConfig } from "../config/config";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { hostPort, localTopology, type LocalService, type ServiceName } from "../topology/local-topology";
import { connectAdmin, type KafkaClientTarget, type LiveTopic } from "../adapters/kafka/kafka-admin";
import {
  cassandraConnection,
  contactEndpoints,
  kafkaClientTarget,
  type CassandraConnection,
} from "../topology/connections";
import { connectWhenReady, describeDriverError } from "../adapters/cassandra/connect";
import { verifySchema } from "../schema/verify";
import { CommandError } from "../errors";

/** One service's health: what the runtime (Docker) says and what a real client sees. */
export interface ServiceHealth {
  /** quorum: the KRaft controllers, asked through a running broker's container. */
  readonly service: ServiceName | "quorum";
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
export async function requireDeployed(runtime: ServiceRuntime): Promise<void> {
  const found = await runtime.projectObjects();
  if (found.containers.length > 0) return;
  throw new NotDeployedError(
    found.volumes.length > 0
      ? "the stack is stopped (its data volumes exist, its containers do not). Start it with npm run deploy."
      : `the stack is not deployed (no ChatBattle containers or volumes on this ${runtime.name} engine). Deploy it with npm run deploy.`,
  );
}

/** ZooKeeper answers the `srvr` four-letter word with its mode. */
export function probeZooKeeper(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<{ ready: boolean; detail: string }> {
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
      done(
        Boolean(mode),
        mode ? `srvr: mode ${mode}` : `unexpected answer to srvr: ${reply.trim().slice(0, 80) || "(none)"}`,
      );
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
      drift.push(
        `${declared.name}: ${key}=${live.overrides[key] ?? "(broker default)"} (declared ${declared.config[key] ?? "(broker default)"})`,
      );
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
export async function probeKafka(
  target: KafkaClientTarget,
  declared: readonly TopicSpec[],
  /** Broker ids that should be there (the local stack's); a cluster's are learnt from the replicas. */
  expectedBrokerIds: readonly number[] = [],
): Promise<{ ready: boolean; detail: string; online: ReadonlySet<number> }> {
  let admin;
  try {
    admin = await connectAdmin(target);
    const brokerIds = await admin.brokerIds();
    const names = await admin.listTopics();
    const declaredNames = declared.map((t) => t.name);
    const live = (await admin.describeTopics(names)).sort(
      (a, b) =>
        Number(!declaredNames.includes(a.name)) - Number(!declaredNames.includes(b.name)) ||
        a.name.localeCompare(b.name),
    );
    const online = new Set(brokerIds);
    const named = live.flatMap((t) => t.partitions.flatMap((p) => [...p.replicas, ...p.offlineReplicas]));
    const offline = [...new Set([...named, ...expectedBrokerIds])]
      .filter((id) => !online.has(id))
      .sort((a, b) => a - b);
    const underReplicated = underReplicatedPartitions(live);
    const drift = declared.flatMap((t) =>
      topicDrift(
        t,
        live.find((l) => l.name === t.name),
      ),
    );
    const problems = [
      ...(offline.length > 0 ? [`broker(s) ${offline.join(", ")} offline`] : []),
      ...(underReplicated.count > 0
        ? [`${underReplicated.count} under-replicated partition(s): ${underReplicated.byTopic.join("; ")}`]
        : []),
      ...(drift.length > 0 ? [`topics drifted: ${drift.join("; ")}`] : []),
    ];
    const brokers = `${online.size} broker(s) online`;
    return problems.length > 0
      ? { ready: false, detail: `${brokers}; ${problems.join("; ")}`, online }
      : {
          ready: true,
          detail: `${brokers}; ${declared.length} topics as declared; no under-replicated partitions`,
          online,
        };
  } catch (error) {
    return {
      ready: false,
      detail: error instanceof CommandError ? error.message : `${target.describe}: ${(error as Error).message}`,
      online: new Set(),
    };
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }
}

/** Whether CQL answers and the schema matches cql/ (the keyspace and replication of `cassandra`). */
export async function probeCassandra(
  connection: CassandraConnection,
  cassandra: ChatBattleConfig["cassandra"],
): Promise<{ ready: boolean; detail: string }> {
  const settings = { ...connection, waitSeconds: 1 };
  let client;
  try {
    client = await connectWhenReady(settings, { log: () => undefined, readTimeoutMs: 5000 });
    const checks = await verifySchema(client, cassandra.keyspace, cassandra.replication);
    const bad = checks.filter((c) => !c.ok);
    return bad.length === 0
      ? { ready: true, detail: `CQL answers; schema matches cql/ (${checks.length} checks)` }
      : {
          ready: false,
          detail: `schema differs from cql/: ${bad.map((c) => `${c.what}: expected ${c.expected}, found ${c.actual}`).join("; ")}`,
        };
  } catch (error) {
    // The unreachable error explains at length; a health row wants the cause.
    const message = describeDriverError(error).split("\n")[0];
    return { ready: false, detail: /Last error: (.*?)\. Is it running/.exec(message)?.[1] ?? message };
  } finally {
    await client?.shutdown();
  }
}

/** How long the quorum tool may take before health reports no answer. */
const QUORUM_DEADLINE_SECONDS = 20;

/**
 * The KRaft controller quorum as a broker's kafka-metadata-quorum tool
 * reports it: the leader, the voters, and how far the furthest follower lags.
 */
export async function probeQuorum(
  runtime: ServiceRuntime,
  container: string,
  internalPort: number,
  voters: number,
): Promise<{ ready: boolean; detail: string }> {
  // A JVM tool against a broker that is still starting can wait a minute for its answer: 20 s is plenty when all is well.
  const result = await runtime.exec(
    container,
    ["kafka-metadata-quorum", "--bootstrap-server", `localhost:${internalPort}`, "describe", "--status"],
    { deadlineSeconds: QUORUM_DEADLINE_SECONDS, env: { KAFKA_HEAP_OPTS: "-Xmx128m" } },
  );
  if (result.status === undefined)
    return { ready: false, detail: `no answer from kafka-metadata-quorum within ${QUORUM_DEADLINE_SECONDS} s` };
  return quorumHealth(result.stdout, voters);
}

/** `kafka-metadata-quorum describe --status` output, judged: a leader, and every voter in the quorum. */
export function quorumHealth(status: string, voters: number): { ready: boolean; detail: string } {
  const leader = /LeaderId:\s*(-?\d+)/.exec(status)?.[1];
  const lag = /MaxFollowerLag:\s*(\d+)/.exec(status)?.[1];
  const currentVoters = /CurrentVoters:\s*(.*)/.exec(status)?.[1] ?? "";
  // Kafka 3.9 lists the voters as JSON objects with an "id"; older versions as [1,2,3].
  const voterIds = [...currentVoters.matchAll(/"id":\s*(\d+)|(\d+)(?=[,\]])/g)].map((m) => m[1] ?? m[2]);
  if (!leader || leader === "-1")
    return { ready: false, detail: `no quorum leader (${status.trim().split("\n")[0] || "no answer"})` };
  return {
    ready: voterIds.length === voters,
    detail: `leader ${leader}, voters ${voterIds.join(",")} of ${voters}, max follower lag ${lag ?? "?"}`,
  };
}

/**
 * The health of every container of the local stack, from its configuration:
 * ZooKeeper (zookeeper mode), each broker, Cassandra, and in KRaft mode the
 * controller quorum. The first broker's row carries what a Kafka client sees
 * of the whole cluster; the others, whether their broker is in it. Does not
 * throw for unhealthy services.
 */
export async function checkHealth(
  config: ChatBattleConfig,
  env: Readonly<Record<string, string | undefined>>,
  runtime: ServiceRuntime,
): Promise<ServiceHealth[]> {
  const topology = localTopology(config);
  const states = await runtime.containerStatus(topology.services.map((s) => s.container));
  const brokers = topology.services.filter((s) => s.name === "kafka");
  const kafka = brokers.some((b) => states.get(b.container)?.state === "running")
    ? await probeKafka(
        kafkaClientTarget(config, env),
        declaredTopics(config.topicDurability, topicDefinitions(config)),
        brokers.map((b) => b.broker!),
      )
    : undefined;
  const probeOf = async (service: LocalService): Promise<{ ready: boolean; detail: string }> => {
    switch (service.name) {
      case "zookeeper": {
        const zookeeper = splitHostPort(service.endpoint);
        return probeZooKeeper(zookeeper.host, zookeeper.port);
      }
      case "cassandra":
        return probeCassandra(cassandraConnection(config, env), config.cassandra);
      case "kafka": {
        // Broker 1's row carries what a client sees of the whole cluster; the others, whether their broker is in it.
        if (service.broker === 1 && kafka) return kafka;
        const online = kafka?.online.has(service.broker!) ?? false;
        return {
          ready: online,
          detail: online
            ? `broker ${service.broker} online`
            : `broker ${service.broker} is not in the cluster's metadata`,
        };
      }
      default: {
        // A service without a probe of the app's own: its container's healthcheck is the answer.
        const health = states.get(service.container)!.health;
        return { ready: health === "healthy", detail: `its container's healthcheck: ${health}` };
      }
    }
  };
  const rows = await Promise.all(
    topology.services.map(async (service): Promise<ServiceHealth> => {
      const { state, health: dockerHealth } = states.get(service.container)!;
      const probe = state === "running" ? await probeOf(service) : { ready: false, detail: `container is ${state}` };
      const dockerAgrees = dockerHealth === "healthy";
      const detail =
        probe.ready && !dockerAgrees ? `${runtime.name} reports ${dockerHealth}; ${probe.detail}` : probe.detail;
      return {
        service: service.name,
        container: service.container,
        state,
        dockerHealth,
        ready: probe.ready && dockerAgrees,
        detail,
      };
    }),
  );
  if (config.kafka.mode === "kraft") {
    const asked = brokers.find((b) => states.get(b.container)?.state === "running");
    const quorum = asked
      ? await probeQuorum(runtime, asked.container, hostPort(asked, "internal"), brokers.length)
      : { ready: false, detail: "no broker is running" };
    rows.splice(brokers.length, 0, {
      service: "quorum",
      container: asked?.container ?? "-",
      state: "-",
      dockerHealth: "-",
      ...quorum,
    });
  }
  return rows;
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
export async function checkClusterHealth(
  config: ChatBattleConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ClusterServiceHealth[]> {
  const kafka = kafkaClientTarget(config, env);
  const cassandra = cassandraConnection(config, env);
  const cassandraEndpoint = contactEndpoints(cassandra).join(",");
  const [kafkaProbe, cassandraProbe] = await Promise.all([
    probeKafka(kafka, declaredTopics(config.topicDurability, topicDefinitions(config))),
    probeCassandra(cassandra, config.cassandra),
  ]);
  return [
    { service: "kafka", endpoint: kafka.brokers.join(","), ...kafkaProbe },
    { service: "cassandra", endpoint: cassandraEndpoint, ...cassandraProbe },
  ];
}
