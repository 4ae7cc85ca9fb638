import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { PORT_SETTINGS, type ChatBattleConfig, type HostPorts } from "../config/config";
import { PROJECT_LABEL } from "../names";
import { ZOOKEEPER_MEMORY_MIB } from "../constructs/zookeeper";
import { KAFKA_MEMORY_MIB } from "../constructs/kafka-broker";
import { CASSANDRA_MEMORY_MIB } from "../constructs/cassandra-node";
import { docker, DockerUnavailableError } from "./docker-cli";
import { formatTable } from "./table";
import { checkCassandraCluster, checkKafkaCluster } from "./cluster-preflight";

/** The outcome of one pre-flight check. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What was found, or what is wrong and how to fix it. */
  readonly detail: string;
}

/** Memory the containers may use together. */
export const STACK_MEMORY_MIB = ZOOKEEPER_MEMORY_MIB + KAFKA_MEMORY_MIB + CASSANDRA_MEMORY_MIB;

export function checkDocker(): CheckResult & { memoryBytes?: number } {
  try {
    const [version, memory] = docker(["info", "--format", "{{.ServerVersion}} {{.MemTotal}}"]).split(" ");
    return { check: "Docker", ok: true, detail: `engine ${version} reachable`, memoryBytes: Number(memory) };
  } catch (error) {
    if (error instanceof DockerUnavailableError) return { check: "Docker", ok: false, detail: error.message };
    throw error;
  }
}

export function checkDockerMemory(memoryBytes: number, neededMiB = STACK_MEMORY_MIB): CheckResult {
  const haveMiB = Math.floor(memoryBytes / 1024 / 1024);
  const gib = (mib: number) => (mib / 1024).toFixed(1);
  return haveMiB >= neededMiB
    ? { check: "Docker memory", ok: true, detail: `${gib(haveMiB)} GiB available, the stack needs ${gib(neededMiB)} GiB` }
    : {
        check: "Docker memory",
        ok: false,
        detail:
          `the Docker engine has ${gib(haveMiB)} GiB of memory; the stack needs ${gib(neededMiB)} GiB ` +
          `(ZooKeeper ${ZOOKEEPER_MEMORY_MIB} MiB, Kafka ${KAFKA_MEMORY_MIB} MiB, Cassandra ${CASSANDRA_MEMORY_MIB} MiB). ` +
          "Give Docker more memory (Docker Desktop: Settings → Resources).",
      };
}

export function checkTerraform(env: Readonly<Record<string, string | undefined>> = process.env): CheckResult {
  const candidates = env.TERRAFORM_BINARY_NAME ? [env.TERRAFORM_BINARY_NAME] : ["terraform", "tofu"];
  for (const binary of candidates) {
    const result = spawnSync(binary, ["version"], { encoding: "utf8", env: { ...process.env, ...env } });
    if (result.status === 0) {
      const version = result.stdout.split("\n")[0];
      const note = binary === "tofu" && !env.TERRAFORM_BINARY_NAME ? " (set TERRAFORM_BINARY_NAME=tofu so cdktf uses it)" : "";
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

/** Host ports the project's own running containers publish: a redeploy may reuse them. */
export function portsOfProjectContainers(): Set<number> {
  return publishedHostPorts(
    docker(["ps", "--filter", `label=${PROJECT_LABEL.label}=${PROJECT_LABEL.value}`, "--format", "{{.Ports}}"]),
  );
}

/** Host ports in `docker ps --format {{.Ports}}` output. */
export function publishedHostPorts(listing: string): Set<number> {
  // Docker folds consecutive ports into ranges: 127.0.0.1:7000-7001->7000-7001/tcp.
  const ports = new Set<number>();
  for (const [, first, last] of listing.matchAll(/:(\d+)(?:-(\d+))?->/g)) {
    for (let port = Number(first); port <= Number(last ?? first); port += 1) ports.add(port);
  }
  return ports;
}

export async function checkPorts(config: ChatBattleConfig, ownPorts: ReadonlySet<number>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [key, setting] of Object.entries(PORT_SETTINGS)) {
    const port = config.ports[key as keyof HostPorts];
    const where = `${config.bindAddress}:${port}`;
    if (ownPorts.has(port)) {
      results.push({ check: `port ${port}`, ok: true, detail: `${where} is held by the running ChatBattle stack` });
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
 * Every check, in order. Local target: Docker, its memory, Terraform, the
 * ports (checks that need Docker are skipped when it is unreachable).
 * Cluster target: Terraform, Kafka (login, brokers for the replication
 * factor) and Cassandra (CQL with the credentials), no Docker.
 */
export async function runPreflight(config: ChatBattleConfig, env: Readonly<Record<string, string | undefined>> = process.env): Promise<CheckResult[]> {
  if (config.target === "cluster") {
    const [kafka, cassandra] = await Promise.all([checkKafkaCluster(config, env), checkCassandraCluster(env)]);
    return [checkTerraform(env), ...kafka, cassandra];
  }
  const dockerResult = checkDocker();
  const results: CheckResult[] = [{ check: dockerResult.check, ok: dockerResult.ok, detail: dockerResult.detail }];
  if (dockerResult.ok) results.push(checkDockerMemory(dockerResult.memoryBytes!));
  results.push(checkTerraform());
  results.push(...(await checkPorts(config, dockerResult.ok ? portsOfProjectContainers() : new Set())));
  return results;
}

/** Prints one row per check and a verdict; true when every check passed. */
export function printPreflight(results: readonly CheckResult[]): boolean {
  console.log(formatTable(["RESULT", "CHECK", "DETAIL"], results.map((r) => [r.ok ? "ok" : "FAIL", r.check, r.detail])));
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? "preflight: ready to deploy" : `preflight: ${failed} problem(s); nothing was changed`);
  return failed === 0;
}
