import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { parseConfig, type ChatBattleConfig } from "../config/config";
import { ALL_VOLUME_NAMES, brokerNames, VOLUME_NAMES } from "../names";
import { localImages, localTopology, type LocalTopology } from "../topology/local-topology";
import type { EngineStatus, HeldPort, ServiceRuntime } from "../runtime/service-runtime";
import { formatTable } from "./table";
import { checkCassandraCluster, checkKafkaCluster } from "./cluster-preflight";
import type { CheckResult } from "./check-result";
import { checkImageSources, checkProviderSource } from "./sources";
import { PROJECT_ROOT, SYNTH_DIR } from "../project-root";
import { checkCassandraRelease } from "./cassandra-version";

export type { CheckResult } from "./check-result";

/** The seed's stack (ZooKeeper, one broker, Cassandra): the default configuration's. */
export const SEED_TOPOLOGY = localTopology(parseConfig({}));

/**
 * The Kafka volumes that exist must be none (a first deploy) or exactly those
 * of the configured mode and broker count: a deploy with other settings would
 * start brokers on data of the other mode, or drop volumes that hold data
 * (Terraform deletes a volume the settings no longer declare). Refused before
 * anything changes, naming the volumes and the way out.
 */
export function checkKafkaData(config: ChatBattleConfig, existingVolumes: readonly string[]): CheckResult {
  const existing = kafkaVolumesIn(existingVolumes);
  const expected = localTopology(config)
    .volumes.map((v) => v.name)
    .filter((v) => v !== VOLUME_NAMES.cassandraData)
    .sort();
  const wanted = `KAFKA_MODE=${config.kafka.mode} with ${config.kafka.brokers} broker(s)`;
  if (existing.length === 0)
    return { check: "Kafka data", ok: true, detail: `no Kafka volumes yet; ${wanted} starts fresh` };
  if (existing.join() === expected.join()) return { check: "Kafka data", ok: true, detail: `volumes match ${wanted}` };
  const theirs = deployedKafka(existingVolumes)!;
  return {
    check: "Kafka data",
    ok: false,
    detail:
      `volumes ${existing.join(", ")} hold data of KAFKA_MODE=${theirs.mode} with ${theirs.brokers} broker(s), but the settings ask for ${wanted}; ` +
      "a deploy would leave that data unreadable or delete it, so nothing was changed. " +
      `Move the data to the new settings with npm run migrate (it keeps every record, consumer group offset and row), ` +
      `or set KAFKA_MODE=${theirs.mode} and KAFKA_BROKERS=${theirs.brokers} again, or delete all data with npm run reset and deploy.`,
  };
}

function kafkaVolumesIn(volumes: readonly string[]): string[] {
  const kafkaVolumes = ALL_VOLUME_NAMES.filter((v) => v !== VOLUME_NAMES.cassandraData);
  return volumes.filter((v) => kafkaVolumes.includes(v)).sort();
}

/** The Kafka mode and broker count whose data these volumes hold; undefined when there is none. */
export function deployedKafka(volumes: readonly string[]): ChatBattleConfig["kafka"] | undefined {
  const existing = kafkaVolumesIn(volumes);
  if (existing.length === 0) return undefined;
  const mode =
    existing.includes(VOLUME_NAMES.zookeeperData) || existing.includes(VOLUME_NAMES.zookeeperLogs)
      ? "zookeeper"
      : "kraft";
  const brokers = [1, 2, 3].filter((n) => existing.includes(brokerNames(n).volume)).length;
  return { mode, brokers: brokers === 3 ? 3 : 1 };
}

/** Whether the engine answers, as a check row. */
export function checkEngine(runtime: ServiceRuntime, engine: EngineStatus): CheckResult {
  return engine.ok
    ? { check: runtime.name, ok: true, detail: `engine ${engine.version} reachable` }
    : { check: runtime.name, ok: false, detail: engine.detail };
}

/** Whether the engine has the memory the stack's containers may use together (the topology says how much each). */
export function checkDockerMemory(memoryBytes: number, topology: LocalTopology = SEED_TOPOLOGY): CheckResult {
  const neededMiB = topology.memoryMiB;
  const haveMiB = Math.floor(memoryBytes / 1024 / 1024);
  const gib = (mib: number) => (mib / 1024).toFixed(1);
  const each = topology.services.map((s) => `${s.container} ${s.memoryMiB} MiB`).join(", ");
  return haveMiB >= neededMiB
    ? {
        check: "Docker memory",
        ok: true,
        detail: `${gib(haveMiB)} GiB available, the stack needs ${gib(neededMiB)} GiB`,
      }
    : {
        check: "Docker memory",
        ok: false,
        detail:
          `the Docker engine has ${gib(haveMiB)} GiB of memory; the stack needs ${gib(neededMiB)} GiB ` +
          `(${each}). ` +
          "Give Docker more memory (Docker Desktop: Settings → Resources).",
      };
}

export function checkTerraform(env: Readonly<Record<string, string | undefined>> = process.env): CheckResult {
  const candidates = env.TERRAFORM_BINARY_NAME ? [env.TERRAFORM_BINARY_NAME] : ["terraform", "tofu"];
  for (const binary of candidates) {
    // `version` answers at once; 30 s means something is wrong, never a hang.
    const result = spawnSync(binary, ["version"], {
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 30_000,
      killSignal: "SIGKILL",
    });
    if (result.status === 0) {
      const version = result.stdout.split("\n")[0];
      const note =
        binary === "tofu" && !env.TERRAFORM_BINARY_NAME ? " (set TERRAFORM_BINARY_NAME=tofu so cdktf uses it)" : "";
      return { check: "Terraform", ok: note === "", detail: `${version}${note}` };
    }
  }
  return {
    check: "Terraform",
    ok: false,
    detail: `${candidates.join(" or ")} was not found on PATH. Install Terraform or OpenTofu (see the README's prerequisites).`,
  };
}

/** Whether something is listening on host:port, tested by trying to listen there. */
async function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(true) : reject(error),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Checks each port the stack publishes (the topology's); `ownPorts`: those the project's own containers hold (a redeploy reuses them). */
export async function checkPorts(
  config: ChatBattleConfig,
  ownPorts: ReadonlyMap<number, HeldPort>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { hostPort: port, setting } of localTopology(config).services.flatMap((s) => s.ports)) {
    const where = `${config.bindAddress}:${port}`;
    const own = ownPorts.get(port);
    if (own) {
      results.push({
        check: `port ${port}`,
        ok: true,
        detail: `${where} is held by the ChatBattle stack's ${own.container} (${own.state})`,
      });
    } else if (await portInUse(config.bindAddress, port)) {
      results.push({
        check: `port ${port}`,
        ok: false,
        detail: `${where} is already in use by another program; stop it, or set ${setting} to a free port`,
      });
    } else {
      results.push({ check: `port ${port}`, ok: true, detail: `${where} is free (${setting})` });
    }
  }
  return results;
}

/**
 * Every check, in order. Local target: Docker, its memory, the Kafka data,
 * the Cassandra data's release against the image's, where the images come from, Terraform, where its providers come from, the
 * ports (checks that need Docker are skipped when it is unreachable).
 * Cluster target: Terraform, its providers, Kafka (login, brokers for the
 * replication factor) and Cassandra (CQL with the credentials), no Docker.
 */
export async function runPreflight(
  config: ChatBattleConfig,
  runtime: ServiceRuntime,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<CheckResult[]> {
  if (config.target === "cluster") {
    const [kafka, cassandra, providers] = await Promise.all([
      checkKafkaCluster(config, env),
      checkCassandraCluster(config, env),
      checkProviderSource(env, SYNTH_DIR),
    ]);
    return [checkTerraform(env), providers, ...kafka, cassandra];
  }
  const engine = await runtime.engine();
  const results: CheckResult[] = [checkEngine(runtime, engine)];
  const images = localImages(localTopology(config).services).map((i) => i.image);
  // Both may wait a few seconds for a registry to answer: side by side.
  const [imageSources, providers] = await Promise.all([
    engine.ok ? checkImageSources(runtime, images) : undefined,
    checkProviderSource(env, SYNTH_DIR),
  ]);
  if (engine.ok) {
    results.push(checkDockerMemory(engine.memoryBytes, localTopology(config)));
    results.push(checkKafkaData(config, (await runtime.projectObjects()).volumes));
    results.push(await checkCassandraRelease(runtime, config, PROJECT_ROOT));
    results.push(imageSources!);
  }
  results.push(checkTerraform(), providers);
  results.push(...(await checkPorts(config, engine.ok ? await runtime.heldPorts() : new Map())));
  return results;
}

/** Prints one row per check and a verdict; true when every check passed. */
export function printPreflight(results: readonly CheckResult[]): boolean {
  console.log(
    formatTable(
      ["RESULT", "CHECK", "DETAIL"],
      results.map((r) => [r.ok ? "ok" : "FAIL", r.check, r.detail]),
    ),
  );
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? "preflight: ready to deploy" : `preflight: ${failed} problem(s); nothing was changed`);
  return failed === 0;
}
