import { spawn } from "node:child_process";

/** How a command ended. */
export interface StepResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  readonly seconds: number;
}

/** A command started in the background. */
export interface RunningStep {
  readonly pid: number;
  /** Everything printed so far. */
  output(): string;
  /** Sends a signal to the command's whole process group, as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
  readonly done: Promise<StepResult>;
}

const lastLines = (text: string, n = 40) => text.trimEnd().split("\n").slice(-n).join("\n");

/**
 * Runs the user's commands for the end-to-end test, each in a process group of
 * its own with a deadline: a command that passes it is stopped (the whole
 * group) and the step fails with the last lines it printed, so no step can
 * hang the suite. Keeps each step's time for the closing table.
 */
export class Steps {
  readonly timings: { step: string; seconds: number }[] = [];

  constructor(
    private readonly cwd: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  start(command: readonly string[], deadlineSeconds: number): RunningStep {
    const started = Date.now();
    const child = spawn(command[0], command.slice(1), {
      cwd: this.cwd,
      env: { ...this.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const done = new Promise<StepResult>((resolve, reject) => {
      let overdue = false;
      const timer = setTimeout(() => {
        overdue = true;
        signalGroup("SIGTERM");
        setTimeout(() => signalGroup("SIGKILL"), 10_000).unref();
      }, deadlineSeconds * 1000);
      child.once("error", reject);
      child.once("close", (status, signal) => {
        clearTimeout(timer);
        const seconds = (Date.now() - started) / 1000;
        if (overdue) {
          reject(new Error(`\`${command.join(" ")}\` did not finish within ${deadlineSeconds} s; its last output:\n${lastLines(output)}`));
        } else {
          resolve({ status, signal, output, seconds });
        }
      });
    });
    return { pid: child.pid!, output: () => output, signal: signalGroup, done };
  }

  /** Runs a command to its end and records its time under `step`. */
  async run(step: string, command: readonly string[], deadlineSeconds: number): Promise<StepResult> {
    const result = await this.start(command, deadlineSeconds).done;
    this.timings.push({ step, seconds: result.seconds });
    return result;
  }

  /** Like run, but the step fails, with the last output lines, unless the command exits 0. */
  async succeed(step: string, command: readonly string[], deadlineSeconds: number): Promise<StepResult> {
    const result = await this.run(step, command, deadlineSeconds);
    if (result.status !== 0) {
      throw new Error(`\`${command.join(" ")}\` exited ${result.status ?? result.signal}; its last output:\n${lastLines(result.output)}`);
    }
    return result;
  }

  /** The timings as a Markdown table. */
  table(): string {
    return [
      "| step | time |",
      "|---|---|",
      ...this.timings.map((t) => `| ${t.step} | ${t.seconds.toFixed(1)} s |`),
    ].join("\n");
  }
}
