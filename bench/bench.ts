/**
 * npm run bench [-- --rounds N] [--no-scaling]
 *
 * The app against what a user would otherwise run, the seed's docker-compose
 * file with its two init containers, on this Docker engine, alternating which
 * side goes first in each round. Per scenario (cold, start with data, no-op,
 * stop, reset) it prints median, min and max of each side and the ratio
 * app/compose; then the floors (each service alone, and the three started
 * together, which a deploy is measured against), the targets, where the
 * app's cold deploy spends its time, and how its cost grows with the number
 * of topics. Writes all of it as JSON to bench/results/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { runCommand } from "../lib/process/run-command";
import { UsageError, CommandError } from "../lib/errors";
import { docker } from "../lib/adapters/docker/docker-cli";
import { findProjectObjects } from "../lib/adapters/docker/project-objects";
import { formatTable } from "../lib/checks/table";
import { PROJECT_ROOT } from "../lib/project-root";
import { loadOfflineEnv } from "../lib/load-env";
import type { SeedService } from "./synthesized";
import { CONTAINER_NAMES } from "../lib/names";
import { coldDeployTimeline, type DeployTimings, type TimelineEntry } from "./timeline";
import { APP_ENTRIES, copyProject } from "../test-support/project-copy";
import { synthesizedContainers } from "./synthesized";
import { composeOverride, initSchemaCql, summarize, type Summary } from "./baseline";
import { measureFloor, measureParallelFloor, type ParallelFloorSample } from "./floor";
import { AppSide, ComposeSide, findCompose, SCENARIOS, type Scenario, type Side } from "./sides";

const SCALING_TOPICS = [2, 20, 100, 500];

const s1 = (seconds: number) => `${seconds.toFixed(1)} s`;
const span = (s: Summary) => `${s1(s.median)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;

/** A TOPICS_FILE declaring `count` topics in place of the seed's two; the app reads it, no source is edited. */
function topicsFile(dir: string, count: number): string {
  const file = join(dir, `topic-list-${count}.json`);
  const topics = Array.from({ length: count }, (_, i) => ({
    name: `bench-topic-${i}`,
    partitions: 3,
    config: { "retention.ms": "604800000", "cleanup.policy": "delete" },
  }));
  writeFileSync(file, JSON.stringify(topics));
  return file;
}

function readTimings(file: string): DeployTimings {
  return JSON.parse(readFileSync(file, "utf8"));
}

function versionOf(command: string[]): string {
  const result = spawnSync(command[0], command.slice(1), { encoding: "utf8" });
  return (result.stdout || result.stderr || "").split("\n")[0].trim();
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { rounds: { type: "string" }, "no-scaling": { type: "boolean" } } }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. usage: npm run bench [-- --rounds N] [--no-scaling]`);
  }
  const rounds = Number(values.rounds ?? "3");
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new UsageError(`--rounds takes a whole number of at least 1, got ${values.rounds}`);

  // The copies of the project the app side runs in have no .offline/env of their own: they get its settings from here.
  loadOfflineEnv();
  const env = process.env;
  const existing = await findProjectObjects();
  if ([...existing.containers, ...existing.networks, ...existing.volumes].length > 0) {
    throw new CommandError(
      `this Docker engine has ChatBattle objects (${[...existing.containers, ...existing.volumes].join(", ")}); ` +
        "the benchmark needs it empty. npm run reset removes a deployed stack.",
    );
  }
  const compose = findCompose(env);
  const containers = synthesizedContainers(env);
  const work = mkdtempSync(join(tmpdir(), "chatbattle-bench-"));
  const project = copyProject(APP_ENTRIES, "chatbattle-bench-app-");
  writeFileSync(join(work, "init-schema.cql"), initSchemaCql());
  writeFileSync(join(work, "override.json"), composeOverride(containers));
  const app = new AppSide(project.dir, env);
  const baseline = new ComposeSide(
    compose.command,
    [join(PROJECT_ROOT, "bench", "compose", "docker-compose.yml"), join(work, "override.json")],
    work,
    { ...env, INIT_SCHEMA_CQL: join(work, "init-schema.cql") },
  );
  try {
    // A run stopped half-way may have left the baseline's objects, which the check above does not see.
    await baseline.clean();
    const machine = {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      docker: docker(["version", "--format", "{{.Server.Version}}"]),
      compose: compose.version,
      terraform: versionOf([env.TERRAFORM_BINARY_NAME || "terraform", "version"]),
    };
    console.log(
      `bench: ${rounds} round(s) on ${machine.cpus} cores, ${machine.memoryGiB} GiB; Docker ${machine.docker}; ${machine.compose}; ${machine.terraform}`,
    );

    console.log("bench: the floor (each service alone, from docker run until a client gets an answer) …");
    const floorSamples = await measureFloor(containers, rounds);
    const floor = Object.fromEntries(
      Object.entries(floorSamples).map(([s, samples]) => [s, summarize(samples)]),
    ) as Record<SeedService, Summary>;

    const samples: Record<Side["name"], Record<Scenario, number[]>> = {
      app: { cold: [], startWithData: [], noop: [], stop: [], reset: [] },
      compose: { cold: [], startWithData: [], noop: [], stop: [], reset: [] },
    };
    const parallelFloorSamples: ParallelFloorSample[] = [];
    const parallelFloor = async () => {
      const [sample] = await measureParallelFloor(containers, 1);
      parallelFloorSamples.push(sample);
      console.log(
        `bench: the three started together: all answer after ${s1(sample.all)} (${Object.entries(sample.services)
          .map(([s, t]) => `${s} ${s1(t)}`)
          .join(", ")})`,
      );
    };
    const breakdownFile = join(work, "cold-deploy-timings.json");
    let timeline: TimelineEntry[] = [];
    // The first cold deploy of the app, with where its time went, read before the containers go.
    const firstColdDeploy = async () => {
      const spawnedAt = Date.now();
      const seconds = await app.up(breakdownFile);
      timeline = coldDeployTimeline(spawnedAt, readTimings(breakdownFile), CONTAINER_NAMES);
      return seconds;
    };
    for (let round = 1; round <= rounds; round += 1) {
      // The parallel floor takes its turn in the rotation too, so a slow spell of the machine hits all three alike.
      if (round % 2 === 1) await parallelFloor();
      for (const side of round % 2 === 1 ? [app, baseline] : [baseline, app]) {
        await side.clean();
        const times: Record<Scenario, number> = {
          cold: side === app && round === 1 ? await firstColdDeploy() : await side.up(),
          noop: await side.up(),
          stop: await side.stop(),
          startWithData: await side.up(),
          reset: await side.reset(),
        };
        for (const scenario of SCENARIOS) samples[side.name][scenario].push(times[scenario]);
        console.log(
          `bench: round ${round}, ${side.name.padEnd(7)} ${SCENARIOS.map((s) => `${s} ${s1(times[s])}`).join(", ")}`,
        );
      }
      if (round % 2 === 0) await parallelFloor();
    }

    const scaling: { topics: number; coldTopicsApply: number; coldDeploy: number; noopDeploy: number }[] = [];
    let scalingError: string | undefined;
    if (!values["no-scaling"]) {
      try {
        for (const count of SCALING_TOPICS) {
          const copy = copyProject(APP_ENTRIES, `chatbattle-bench-topics${count}-`);
          try {
            const side = new AppSide(copy.dir, { ...env, TOPICS_FILE: topicsFile(work, count) });
            await side.clean();
            const file = join(work, `topics-${count}.json`);
            const coldDeploy = await side.up(file);
            const coldTopicsApply = readTimings(file).steps.find(
              (s) => s.stack === "topics" && s.step === "apply",
            )!.seconds;
            const noopDeploy = await side.up();
            await side.reset();
            scaling.push({ topics: count, coldTopicsApply, coldDeploy, noopDeploy });
            console.log(
              `bench: ${count} topics: cold topics apply ${s1(coldTopicsApply)}, no-op deploy ${s1(noopDeploy)}`,
            );
          } finally {
            copy.remove();
          }
        }
      } catch (error) {
        // The rounds above stand; say what went wrong here and keep them.
        scalingError = (error as Error).message;
        console.error(`bench: the scaling runs failed: ${scalingError}`);
      }
    }

    const summary = Object.fromEntries(
      (["app", "compose"] as const).map((side) => [
        side,
        Object.fromEntries(SCENARIOS.map((s) => [s, summarize(samples[side][s])])),
      ]),
    ) as Record<Side["name"], Record<Scenario, Summary>>;
    const breakdown = readTimings(breakdownFile);
    const parallel = {
      all: summarize(parallelFloorSamples.map((p) => p.all)),
      services: Object.fromEntries(
        Object.keys(floor).map((s) => [s, summarize(parallelFloorSamples.map((p) => p.services[s as SeedService]))]),
      ) as Record<SeedService, Summary>,
    };
    const targets = targetsMet(summary, parallel.all);
    report({ machine, floor, parallel, summary, targets, breakdown, timeline, scaling });

    const resultsDir = join(PROJECT_ROOT, "bench", "results");
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${new Date().toISOString().replaceAll(":", "-")}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          machine,
          rounds,
          floor: floorSamples,
          parallelFloor: parallelFloorSamples,
          samples,
          summary,
          parallel,
          targets,
          breakdown,
          timeline,
          scaling,
          scalingError,
        },
        null,
        2,
      ),
    );
    console.log(`\nbench: results written to ${file}`);
    return scalingError ? 1 : 0;
  } finally {
    // Whatever happened, leave the engine as the benchmark found it: neither side's objects.
    await baseline.clean().catch(() => undefined);
    await new AppSide(project.dir, env).clean().catch(() => undefined);
    project.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

const LABELS: Record<Scenario, string> = {
  cold: "cold (no volumes)",
  startWithData: "start with data",
  noop: "no-op (all up)",
  stop: "stop",
  reset: "reset",
};

interface Target {
  readonly target: string;
  readonly met: boolean;
  readonly measured: string;
}

/**
 * The targets, each a ratio within one run (or, for the no-op, the seconds a
 * user waits for nothing): the parallel floor is what a deploy is measured
 * against; Compose is what the user would otherwise run.
 */
function targetsMet(summary: Record<"app" | "compose", Record<Scenario, Summary>>, parallelFloor: Summary): Target[] {
  const { app, compose } = summary;
  const ratio = (scenario: Scenario, limit: number): Target => {
    const value = app[scenario].median / compose[scenario].median;
    return {
      target: `${LABELS[scenario]} ≤ ${limit} × compose`,
      met: value <= limit,
      measured: `${value.toFixed(2)} (${s1(app[scenario].median)} vs ${s1(compose[scenario].median)})`,
    };
  };
  const toFloor = app.cold.median / parallelFloor.median;
  return [
    {
      target: "cold ≤ 1.35 × the parallel floor",
      met: toFloor <= 1.35,
      measured: `${toFloor.toFixed(2)} (${s1(app.cold.median)} vs ${s1(parallelFloor.median)})`,
    },
    ratio("cold", 0.8),
    ratio("startWithData", 0.8),
    ratio("stop", 0.8),
    { target: "no-op ≤ 2.5 s", met: app.noop.median <= 2.5, measured: s1(app.noop.median) },
    ratio("reset", 0.35),
  ];
}

function report(r: {
  machine: Record<string, unknown>;
  floor: Record<SeedService, Summary>;
  parallel: { all: Summary; services: Record<SeedService, Summary> };
  summary: Record<"app" | "compose", Record<Scenario, Summary>>;
  targets: readonly Target[];
  breakdown: DeployTimings;
  timeline: readonly TimelineEntry[];
  scaling: { topics: number; coldTopicsApply: number; coldDeploy: number; noopDeploy: number }[];
}): void {
  const { app, compose } = r.summary;
  console.log("\nScenario medians (min–max), app/compose:");
  console.log(
    formatTable(
      ["SCENARIO", "COMPOSE", "APP", "APP/COMPOSE"],
      SCENARIOS.map((s) => [LABELS[s], span(compose[s]), span(app[s]), (app[s].median / compose[s].median).toFixed(2)]),
    ),
  );

  console.log(
    "\nFloors, docker run to a client's answer (median, min–max): each service alone, and the three started together:",
  );
  console.log(
    formatTable(
      ["SERVICE", "ALONE", "TOGETHER"],
      [
        ...Object.entries(r.floor).map(([s, f]) => [s, span(f), span(r.parallel.services[s as SeedService])]),
        ["all three", "", span(r.parallel.all)],
      ],
    ),
  );
  const slowest = Math.max(...Object.values(r.floor).map((f) => f.median));
  console.log(
    `cold deploy / parallel floor: ${(app.cold.median / r.parallel.all.median).toFixed(2)}; ` +
      `cold deploy / slowest service alone (${s1(slowest)}): ${(app.cold.median / slowest).toFixed(2)}`,
  );

  console.log("\nTargets:");
  console.log(
    formatTable(
      ["TARGET", "MET", "MEASURED"],
      r.targets.map((t) => [t.target, t.met ? "yes" : "NO", t.measured]),
    ),
  );

  console.log(
    `\nWhere the app's first cold deploy went (${s1(r.breakdown.seconds)} in all, synth ${s1(r.breakdown.synthSeconds)}):`,
  );
  console.log(
    formatTable(
      ["STACK", "STEP", "TIME", "OF WHICH"],
      r.breakdown.steps.map((s) => [
        s.stack,
        s.step,
        s1(s.seconds),
        Object.entries(s.slowResources ?? {})
          .filter(([address]) => /^(docker_container|terraform_data)\./.test(address))
          // A container's creation includes its wait for health where it has one (Kafka); the schema step includes its wait for CQL.
          .map(
            ([address, seconds]) =>
              `${address.startsWith("terraform_data") ? "schema step (with its wait for CQL)" : `${address.split(".")[1].split("_")[0]} container`} ${seconds} s`,
          )
          .join(", "),
      ]),
    ),
  );

  console.log("\nThe same deploy on one clock, seconds after npm run deploy was started:");
  console.log(
    formatTable(
      ["AT", "WHAT"],
      r.timeline.map((t) => [t.at.toFixed(2), t.what]),
    ),
  );

  if (r.scaling.length > 0) {
    console.log("\nHow cost grows with the number of declared topics:");
    console.log(
      formatTable(
        ["TOPICS", "COLD TOPICS APPLY", "COLD DEPLOY", "NO-OP DEPLOY"],
        r.scaling.map((s) => [String(s.topics), s1(s.coldTopicsApply), s1(s.coldDeploy), s1(s.noopDeploy)]),
      ),
    );
  }
}

await runCommand("bench", main);
