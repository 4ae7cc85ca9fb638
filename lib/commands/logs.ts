/**
 * npm run logs [-- <service>…] [--tail N] [--no-follow]
 *
 * The services' logs, interleaved, each line prefixed with its service as
 * `docker-compose logs` does. Follows new lines until Ctrl-C unless
 * --no-follow is given; then the lines already written are printed in time
 * order and the command ends. Exit codes: 0, 1 when the stack is not running,
 * 2 on bad usage.
 */
import { localTopology } from "../topology/local-topology";
import type { ChatBattleConfig } from "../config/config";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { NotDeployedError, requireDeployed } from "../checks/health";
import { UsageError } from "../errors";
import { defineCommand } from "./support/define-command";
import { formatLogLine, parseLogLine, type LogLine, type Service } from "./support/log-lines";

/**
 * The stack's containers by the name the logs use (the one containers on
 * the network know them by): zookeeper in zookeeper mode, each broker
 * (kafka, kafka-2, kafka-3), cassandra.
 */
function logSources(config: ChatBattleConfig): Map<Service, string> {
  return new Map(localTopology(config).services.map(({ alias, container }) => [alias, container]));
}

const USAGE = "usage: npm run logs [-- <service>…] [--tail N] [--no-follow]   (kafka means every broker)";

/** Streams one container's log lines to `onLine`, each with its service and time; resolves when its log ends. */
function streamLogs(
  runtime: ServiceRuntime,
  service: Service,
  container: string,
  options: { tail: string; follow: boolean },
  onLine: (line: LogLine) => void,
): Promise<void> {
  let previous = "";
  return runtime.streamLogs(container, options, (text) => {
    const line = parseLogLine(service, text, previous);
    previous = line.time;
    onLine(line);
  });
}

await defineCommand({
  name: "logs",
  usage: USAGE,
  arguments: { allowPositionals: true, options: { tail: { type: "string" }, "no-follow": { type: "boolean" } } },
  checkArguments: ({ values }) => {
    const tail = values.tail ?? "all";
    if (!/^(\d+|all)$/.test(tail))
      throw new UsageError(`--tail takes a number or "all", got ${JSON.stringify(tail)}. ${USAGE}`);
  },
  localOnly: true,
  async run({ args, config, runtime }) {
    const sources = logSources(config);
    const names = [...sources.keys()];
    const positionals = args.positionals;
    const unknown = positionals.filter((p) => !names.includes(p) && p !== "kafka");
    if (unknown.length > 0)
      throw new UsageError(`no service named ${unknown.join(", ")}. ${USAGE} (services: ${names.join(", ")})`);
    // "kafka" is broker 1's name and every broker's: with three brokers, it shows all of them.
    const wanted =
      positionals.length > 0
        ? names.filter((n) => positionals.includes(n) || (positionals.includes("kafka") && /^kafka(-\d)?$/.test(n)))
        : names;
    await requireDeployed(runtime);
    const states = await runtime.containerStatus(wanted.map((s) => sources.get(s)!));
    const existing = wanted.filter((s) => states.get(sources.get(s)!)!.state !== "missing");
    const missing = wanted.filter((s) => !existing.includes(s));
    if (existing.length === 0) {
      throw new NotDeployedError(
        `no container for ${missing.join(", ")}; run npm run deploy to start ${missing.length === 1 ? "it" : "them"}.`,
      );
    }
    if (missing.length > 0)
      console.error(`logs: ${missing.join(", ")} has no container; showing ${existing.join(", ")}`);

    const width = Math.max(...existing.map((s) => s.length));
    const follow = !args.values["no-follow"];
    const options = { tail: args.values.tail ?? "all", follow };
    if (follow) {
      // Lines are printed as they come; Ctrl-C ends the command and the log streams with it.
      await Promise.all(
        existing.map((s) =>
          streamLogs(runtime, s, sources.get(s)!, options, (line) => console.log(formatLogLine(line, width))),
        ),
      );
      return 0;
    }
    const lines: LogLine[] = [];
    await Promise.all(existing.map((s) => streamLogs(runtime, s, sources.get(s)!, options, (l) => lines.push(l))));
    // A stable sort keeps each container's own order for lines with the same time.
    for (const line of lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))) {
      console.log(formatLogLine(line, width));
    }
    return 0;
  },
});
