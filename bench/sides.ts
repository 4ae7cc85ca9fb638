/**
 * The two sides of the benchmark, each driven as its user drives it: the app
 * through its npm scripts in a copy of the project, the baseline through
 * `docker compose`. Every scenario returns its seconds.
 */
import { spawnSync } from "node:child_process";
import { docker } from "../lib/adapters/docker/docker-cli";
import { timed } from "./run";

type Env = Readonly<Record<string, string | undefined>>;

export const SCENARIOS = ["cold", "startWithData", "noop", "stop", "reset"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Side {
  readonly name: "app" | "compose";
  /** Leaves nothing of it on the engine; not timed. */
  clean(): Promise<void>;
  /** Brings the stack up: topics and schema in place. */
  up(): Promise<number>;
  /** Removes the containers, keeping the data: `npm run stop` (the network stays), `docker compose down` (it goes). */
  stop(): Promise<number>;
  /** Removes everything, data included. */
  reset(): Promise<number>;
}

/** The app: npm run deploy / stop / reset, in a copy of the project. */
export class AppSide implements Side {
  readonly name = "app";
  constructor(
    private readonly projectDir: string,
    private readonly env: Env,
  ) {}

  private npm(script: string, args: string[] = [], extraEnv: Env = {}, deadlineSeconds = 600): Promise<number> {
    return timed(["npm", "run", "--silent", script, ...(args.length ? ["--", ...args] : [])], {
      cwd: this.projectDir,
      env: { ...this.env, ...extraEnv },
      deadlineSeconds,
    });
  }

  async clean(): Promise<void> {
    await this.npm("reset", ["--yes"]);
  }

  /** npm run deploy; with `timingsFile`, it writes each step's time there. */
  up(timingsFile?: string): Promise<number> {
    return this.npm("deploy", [], timingsFile ? { CHATBATTLE_TIMINGS_FILE: timingsFile } : {});
  }

  stop(): Promise<number> {
    return this.npm("stop");
  }

  reset(): Promise<number> {
    return this.npm("reset", ["--yes"]);
  }
}

/** The command that runs Compose here: the docker CLI plugin, else a docker-compose binary on PATH. */
export function findCompose(env: Env): { command: string[]; version: string } {
  for (const command of [["docker", "compose"], ["docker-compose"]]) {
    const result = spawnSync(command[0], [...command.slice(1), "version"], { encoding: "utf8", env: { ...env } });
    if (result.status === 0) return { command, version: result.stdout.trim() };
  }
  throw new Error(
    "Neither `docker compose` nor `docker-compose` works here. Install Docker Compose, or build v2 with " +
      "npm run offline:toolchain -- compose (and load .offline/env).",
  );
}

const INIT_CONTAINERS = ["chatbattle-kafka-init", "chatbattle-cassandra-init"];

/** The seed's way: docker compose up -d with its two init containers. */
export class ComposeSide implements Side {
  readonly name = "compose";
  constructor(
    private readonly compose: readonly string[],
    /** Compose files: the seed's, then the override with the app's images and healthchecks. */
    private readonly files: readonly string[],
    private readonly workdir: string,
    private readonly env: Env,
  ) {}

  private run(args: string[], deadlineSeconds = 600): Promise<number> {
    return timed([...this.compose, ...this.files.flatMap((f) => ["-f", f]), ...args], {
      cwd: this.workdir,
      env: this.env,
      deadlineSeconds,
    });
  }

  async clean(): Promise<void> {
    await this.run(["down", "--volumes", "--remove-orphans"]);
  }

  /**
   * docker compose up -d, then until both init containers have exited 0 after
   * this start: only then are the topics and the schema there.
   */
  async up(): Promise<number> {
    const started = Date.now();
    await this.run(["up", "--detach"]);
    for (;;) {
      const states = INIT_CONTAINERS.map((name) => {
        const [status, exitCode, finishedAt] = docker(
          ["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}", name],
          { allowFailure: true },
        ).split(" ");
        return { name, status, exitCode, finished: Date.parse(finishedAt ?? "") };
      });
      const failed = states.find((s) => s.status === "exited" && s.exitCode !== "0" && s.finished >= started - 1000);
      if (failed)
        throw new Error(
          `${failed.name} exited ${failed.exitCode}:\n${docker(["logs", "--tail", "20", failed.name], { allowFailure: true })}`,
        );
      if (states.every((s) => s.status === "exited" && s.exitCode === "0" && s.finished >= started - 1000)) {
        return (Date.now() - started) / 1000;
      }
      if (Date.now() - started > 600_000) throw new Error("the init containers did not finish within 600 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): Promise<number> {
    return this.run(["down"]);
  }

  reset(): Promise<number> {
    return this.run(["down", "--volumes"]);
  }
}
