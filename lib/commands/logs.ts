/**
 * npm run logs [-- <service>…] [--tail N] [--no-follow]
 *
 * The services' logs, interleaved, each line prefixed with its service as
 * `docker-compose logs` does. Follows new lines until Ctrl-C unless
 * --no-follow is given; then the lines already written are printed in time
 * order and the command ends. Exit codes: 0, 1 when the stack is not running,
 * 2 on bad usage.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { localTopology } from "../topology/local-topology";
import { parseConfig, type ChatBattleConfig } from "../config/config";
import { docker } from "../adapters/docker/docker-cli";
import { loadDotEnv } from "../load-env";
import { refuseOnCluster } from "./support/local-only";
import { NotDeployedError, requireDeployed } from "../checks/health";
import { UsageError } from "../errors";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { formatLogLine, parseLogLine, type LogLine, type Service } from "./support/log-lines";

/**
 * The stack's containers by the name the logs use (the one containers on
 * the network know them by): zookeeper in zookeeper mode, each broker
 * (kafka, kafka-2, kafka-3), cassandra.
 */
function logSources(config: ChatBattleConfig): Map<Service, string> {
  return new Map(localTopology(config).services.map(({ alias, container }) => [alias, container]));
}

const usage = (names: readonly string[]) =>
  `usage: npm run logs [-- <service>…] [--tail N] [--no-follow]   (services: ${names.join(", ")}; kafka means every broker)`;

/** Streams one container's log lines (stdout and stderr) to `onLine`; resolves when docker logs ends. */
function streamLogs(
  service: Service,
  container: string,
  args: readonly string[],
  onLine: (line: LogLine) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", ["logs", "--timestamps", ...args, container], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let previous = "";
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (text) => {
        const line = parseLogLine(service, text, previous);
        previous = line.time;
        onLine(line);
      });
    }
    child.once("error", reject);
    child.once("close", () => resolve());
  });
}

async function main(argv: string[]): Promise<number> {
  loadDotEnv();
  refuseOnCluster("npm run logs", process.env);
  const sources = logSources(parseConfig(process.env));
  const names = [...sources.keys()];
  const USAGE = usage(names);
  const { values, positionals } = readArguments(
    USAGE,
    {
      allowPositionals: true,
      options: { tail: { type: "string" }, "no-follow": { type: "boolean" } },
    },
    argv,
  );
  const unknown = positionals.filter((p) => !names.includes(p) && p !== "kafka");
  const tail = values.tail ?? "all";
  if (unknown.length > 0 || !/^(\d+|all)$/.test(tail)) {
    const what =
      unknown.length > 0
        ? `no service named ${unknown.join(", ")}`
        : `--tail takes a number or "all", got ${JSON.stringify(tail)}`;
    throw new UsageError(`${what}. ${USAGE}`);
  }
  // "kafka" is broker 1's name and every broker's: with three brokers, it shows all of them.
  const wanted =
    positionals.length > 0
      ? names.filter((n) => positionals.includes(n) || (positionals.includes("kafka") && /^kafka(-\d)?$/.test(n)))
      : names;
  requireDeployed();
  const existing = wanted.filter(
    (s) => docker(["container", "inspect", sources.get(s)!], { allowFailure: true }) !== "",
  );
  const missing = wanted.filter((s) => !existing.includes(s));
  if (existing.length === 0) {
    throw new NotDeployedError(
      `no container for ${missing.join(", ")}; run npm run deploy to start ${missing.length === 1 ? "it" : "them"}.`,
    );
  }
  if (missing.length > 0) console.error(`logs: ${missing.join(", ")} has no container; showing ${existing.join(", ")}`);

  const width = Math.max(...existing.map((s) => s.length));
  const follow = !values["no-follow"];
  const args = ["--tail", tail, ...(follow ? ["--follow"] : [])];
  if (follow) {
    // Lines are printed as they come; Ctrl-C ends the command and the docker logs processes with it.
    await Promise.all(
      existing.map((s) => streamLogs(s, sources.get(s)!, args, (line) => console.log(formatLogLine(line, width)))),
    );
    return 0;
  }
  const lines: LogLine[] = [];
  await Promise.all(existing.map((s) => streamLogs(s, sources.get(s)!, args, (line) => lines.push(line))));
  // A stable sort keeps each container's own order for lines with the same time.
  for (const line of lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))) {
    console.log(formatLogLine(line, width));
  }
  return 0;
}

await runCommand("logs", () => main(process.argv.slice(2)));
