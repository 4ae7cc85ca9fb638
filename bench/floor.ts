/**
 * The floors: how long the services take from `docker run` until a client on
 * this machine gets an answer, polled every 100 ms, with the app's own
 * container settings and nothing else running.
 * - Each service alone (Kafka started once ZooKeeper answers; that wait is
 *   not counted): what one JVM needs with the machine to itself.
 * - The three started together: what a deploy can reach at best, as the
 *   three JVMs share the machine's cores. This is the yardstick for a deploy.
 */
import { docker } from "../lib/adapters/docker/docker-cli";
import { splitHostPort } from "../lib/endpoint";
import { cassandraReady, kafkaReady, secondsUntil, zookeeperReady } from "./readiness";
import type { SeedService, SynthesizedContainer } from "./synthesized";

const NETWORK = "chatbattle-bench-floor";

/** `docker run` of a synthesized container, healthcheck left out: the floor asks the service itself. */
function run(container: SynthesizedContainer): void {
  docker(["run", "--detach", ...runArguments(container)]);
}

function runArguments(container: SynthesizedContainer): string[] {
  return [
    "--name",
    `${container.name}-floor`,
    "--network",
    NETWORK,
    "--network-alias",
    container.service,
    ...container.ports.flatMap((p) => ["--publish", `${p.ip}:${p.external}:${p.internal}`]),
    ...container.env.flatMap((e) => ["--env", e]),
    "--memory",
    `${container.memoryMiB}m`,
    "--memory-swap",
    `${container.memoryMiB}m`,
    container.image,
  ];
}

function remove(containers: readonly SynthesizedContainer[]): void {
  docker(["rm", "--force", "--volumes", ...containers.map((c) => `${c.name}-floor`)], { allowFailure: true });
}

const hostPort = (c: SynthesizedContainer, internal: number) => c.ports.find((p) => p.internal === internal)!.external;
const datacenterOf = (c: SynthesizedContainer) => c.env.find((e) => e.startsWith("CASSANDRA_DC="))!.split("=")[1];

/** `samples` start-to-ready times of each service, in seconds. */
export async function measureFloor(
  containers: Record<SeedService, SynthesizedContainer>,
  samples: number,
): Promise<Record<SeedService, number[]>> {
  const { zookeeper, kafka, cassandra } = containers;
  const result: Record<SeedService, number[]> = { zookeeper: [], kafka: [], cassandra: [] };
  docker(["network", "create", NETWORK]);
  try {
    for (let i = 0; i < samples; i += 1) {
      let started = Date.now();
      run(zookeeper);
      result.zookeeper.push(
        await secondsUntil(() => zookeeperReady("127.0.0.1", hostPort(zookeeper, 2181)), started, 120),
      );
      const kafkaHost = splitHostPort(
        /PLAINTEXT_HOST:\/\/([^,]+)/.exec(kafka.env.find((e) => e.startsWith("KAFKA_ADVERTISED_LISTENERS="))!)![1],
      );
      started = Date.now();
      run(kafka);
      result.kafka.push(await secondsUntil(() => kafkaReady(kafkaHost.host, kafkaHost.port), started, 180));
      remove([kafka, zookeeper]);

      started = Date.now();
      run(cassandra);
      result.cassandra.push(
        await secondsUntil(
          () => cassandraReady("127.0.0.1", hostPort(cassandra, 9042), datacenterOf(cassandra)),
          started,
          300,
        ),
      );
      remove([cassandra]);
    }
  } finally {
    remove([zookeeper, kafka, cassandra]);
    docker(["network", "rm", NETWORK], { allowFailure: true });
  }
  return result;
}

/** Each service's and the slowest one's seconds from the start of all three together until each answers. */
export interface ParallelFloorSample {
  readonly all: number;
  readonly services: Record<SeedService, number>;
}

/**
 * `samples` runs of the three services started together: each container is
 * created and all are started at once (what `docker run` of each does, the
 * creation counted), then each is asked every 100 ms until all answer.
 */
export async function measureParallelFloor(
  containers: Record<SeedService, SynthesizedContainer>,
  samples: number,
): Promise<ParallelFloorSample[]> {
  const { zookeeper, kafka, cassandra } = containers;
  const kafkaHost = splitHostPort(
    /PLAINTEXT_HOST:\/\/([^,]+)/.exec(kafka.env.find((e) => e.startsWith("KAFKA_ADVERTISED_LISTENERS="))!)![1],
  );
  const all = [zookeeper, kafka, cassandra];
  const result: ParallelFloorSample[] = [];
  docker(["network", "create", NETWORK]);
  try {
    for (let i = 0; i < samples; i += 1) {
      const started = Date.now();
      for (const container of all) docker(["create", ...runArguments(container)]);
      docker(["start", ...all.map((c) => `${c.name}-floor`)]);
      const [z, k, c] = await Promise.all([
        secondsUntil(() => zookeeperReady("127.0.0.1", hostPort(zookeeper, 2181)), started, 120),
        secondsUntil(() => kafkaReady(kafkaHost.host, kafkaHost.port), started, 180),
        secondsUntil(
          () => cassandraReady("127.0.0.1", hostPort(cassandra, 9042), datacenterOf(cassandra)),
          started,
          300,
        ),
      ]);
      result.push({ all: Math.max(z, k, c), services: { zookeeper: z, kafka: k, cassandra: c } });
      remove(all);
    }
  } finally {
    remove(all);
    docker(["network", "rm", NETWORK], { allowFailure: true });
  }
  return result;
}
