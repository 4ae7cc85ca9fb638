/**
 * Where a cold deploy's time went, on one clock: from the moment the bench
 * started `npm run deploy`, the deploy's own moments (its process start,
 * pre-flight, synthesis, the Terraform commands: CHATBATTLE_TIMINGS_FILE)
 * beside what the engine and the services say of themselves (each
 * container's start, the line each service logs once it takes clients).
 */
import { docker } from "../lib/adapters/docker/docker-cli";
import type { StepTiming } from "../lib/adapters/terraform/stack-runner";
import type { SeedService } from "./synthesized";

/** What the deploy writes to CHATBATTLE_TIMINGS_FILE. */
export interface DeployTimings {
  readonly seconds: number;
  readonly synthSeconds: number;
  /** Moments of the deploy, milliseconds since the epoch. */
  readonly marks: Readonly<Record<string, number>>;
  readonly steps: readonly StepTiming[];
}

/** One moment, in seconds after the deploy was started. */
export interface TimelineEntry {
  readonly at: number;
  readonly what: string;
}

/** The line each service logs once clients can use it. */
const READY_LINES: Record<SeedService, RegExp> = {
  zookeeper: /binding to port|Started AdminServer|PrepRequestProcessor .*started/,
  kafka: /\[KafkaServer id=\d+\] started|Kafka Server started/,
  cassandra: /Starting listening for CQL clients/,
};

/** Milliseconds since the epoch of a Docker timestamp (RFC 3339 with nanoseconds). */
function epochOf(timestamp: string): number {
  return Date.parse(timestamp.replace(/(\.\d{3})\d*/, "$1"));
}

/** Each container's start and its service's first ready line, as the engine recorded them. */
function serviceMoments(containers: Readonly<Record<SeedService, string>>): { what: string; at: number }[] {
  return Object.entries(containers).flatMap(([service, name]) => {
    const started = docker(["inspect", "--format", "{{.State.StartedAt}}", name], { allowFailure: true });
    const logs = docker(["logs", "--timestamps", name], { allowFailure: true });
    const ready = logs.split("\n").find((line) => READY_LINES[service as SeedService].test(line));
    return [
      ...(started ? [{ what: `${service} container started`, at: epochOf(started) }] : []),
      ...(ready ? [{ what: `${service} takes clients (its log says)`, at: epochOf(ready.split(" ")[0]) }] : []),
    ];
  });
}

/** The deploy started at `spawnedAt` (epoch ms), its timings and the services' own moments, in order. */
export function coldDeployTimeline(
  spawnedAt: number,
  timings: DeployTimings,
  containers: Readonly<Record<SeedService, string>>,
): TimelineEntry[] {
  const moments = [
    ...Object.entries(timings.marks).map(([what, at]) => ({ what: `deploy: ${what}`, at })),
    ...timings.steps.flatMap((s) => [
      { what: `${s.stack}: terraform ${s.step} starts`, at: s.startedAt },
      { what: `${s.stack}: terraform ${s.step} ends`, at: s.startedAt + s.seconds * 1000 },
    ]),
    ...serviceMoments(containers),
  ];
  return moments
    .map((m) => ({ what: m.what, at: (m.at - spawnedAt) / 1000 }))
    .sort((a, b) => a.at - b.at || a.what.localeCompare(b.what));
}
