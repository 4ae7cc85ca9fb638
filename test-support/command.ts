import { spawn } from "node:child_process";

/** `npm run --silent <script> [-- args]`, as a user types it, as a command line. */
export function npmScript(script: string, ...args: string[]): string[] {
  return ["npm", "run", "--silent", script, ...(args.length ? ["--", ...args] : [])];
}

/** How a command ended. */
export interface CommandResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  readonly seconds: number;
}

/** A command started in the background. */
export interface RunningCommand {
  readonly pid: number;
  /** Everything printed so far. */
  output(): string;
  /** Sends a signal to the command's whole process group, as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
  readonly done: Promise<CommandResult>;
}

const lastLines = (text: string, n = 40) => text.trimEnd().split("\n").slice(-n).join("\n");

/**
 * Starts a command in a process group of its own with a deadline: a command
 * that passes it is stopped (the whole group, SIGTERM then SIGKILL) and `done`
 * rejects with the last lines it printed, so nothing that runs the project's
 * commands (the end-to-end test, the benchmark) can hang.
 */
export function startCommand(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; deadlineSeconds: number },
): RunningCommand {
  const started = Date.now();
  const child = spawn(command[0], command.slice(1), {
    cwd: options.cwd,
    env: { ...options.env },
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
  const done = new Promise<CommandResult>((resolve, reject) => {
    let overdue = false;
    const timer = setTimeout(() => {
      overdue = true;
      signalGroup("SIGTERM");
      setTimeout(() => signalGroup("SIGKILL"), 10_000).unref();
    }, options.deadlineSeconds * 1000);
    child.once("error", reject);
    child.once("close", (status, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (overdue) {
        reject(
          new Error(
            `\`${command.join(" ")}\` did not finish within ${options.deadlineSeconds} s; its last output:\n${lastLines(output)}`,
          ),
        );
      } else {
        resolve({ status, signal, output, seconds });
      }
    });
  });
  return { pid: child.pid!, output: () => output, signal: signalGroup, done };
}

/** The result, or an error with the last output lines when the command did not exit 0. */
export function requireSuccess(command: readonly string[], result: CommandResult): CommandResult {
  if (result.status !== 0) {
    throw new Error(
      `\`${command.join(" ")}\` exited ${result.status ?? result.signal}; its last output:\n${lastLines(result.output)}`,
    );
  }
  return result;
}
