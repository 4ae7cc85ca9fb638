import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { sendToGroup, type Interrupts } from "../../process/interrupts";

type Env = Readonly<Record<string, string | undefined>>;

/** Terraform or OpenTofu, as cdktf picks it. */
export function terraformBinary(env: Env): string {
  return env.TERRAFORM_BINARY_NAME || "terraform";
}

/** After the deadline's SIGINT, how long Terraform gets to save its state before it is killed. */
const SAVE_GRACE_MS = 30_000;

export interface TerraformOptions {
  readonly env: Env;
  /** Seconds before Terraform is told to stop (SIGINT), then killed 30 s later. */
  readonly deadlineSeconds: number;
  /** What it does, for messages: "topics: terraform apply". */
  readonly label: string;
  /** Each output line as it comes. */
  readonly onLine?: (line: string) => void;
  /** Forwards Ctrl-C and SIGTERM to it; without one, it gets no signal but its deadline's. */
  readonly interrupts?: Interrupts;
  /** Whether the output goes without -no-color: only for commands whose output is JSON. */
  readonly json?: boolean;
  /** Stops it as its deadline does (SIGINT, so it saves its state; killed 30 s later): the caller saw it cannot succeed. */
  readonly abort?: AbortSignal;
}

/** How one Terraform command ended. */
export interface TerraformRun {
  /** Exit code; null when it was killed. */
  readonly status: number | null;
  /** stdout and stderr as they came (the deadline's note last). */
  readonly output: string;
  /** Only stdout: what a JSON command printed. */
  readonly stdout: string;
  /** Whether it ran past its deadline and was stopped. */
  readonly timedOut: boolean;
  readonly seconds: number;
}

/**
 * The one way the app runs Terraform: in `dir`, without prompts or colour, in
 * a process group of its own (so that a terminal's Ctrl-C reaches it only
 * through `interrupts`, once), with a deadline after which it is asked to
 * stop (SIGINT: it saves its state) and, 30 s later, killed. Never rejects:
 * a missing binary is an exit code 127 with a message that says what to do.
 */
export function runTerraform(dir: string, args: readonly string[], options: TerraformOptions): Promise<TerraformRun> {
  const started = Date.now();
  const binary = terraformBinary(options.env);
  if (options.abort?.aborted) {
    return Promise.resolve({
      status: 1,
      output: `${options.label} was not started: stopped before it began.`,
      stdout: "",
      timedOut: false,
      seconds: 0,
    });
  }
  return new Promise((resolve) => {
    const child = spawn(binary, options.json ? [...args] : [...args, "-no-color"], {
      cwd: dir,
      env: { ...options.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const output: string[] = [];
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        output.push(line);
        options.onLine?.(line);
      });
    }
    options.interrupts?.watch(child, options.label);
    let timedOut = false;
    const stop = () => {
      sendToGroup(child, "SIGINT");
      setTimeout(() => sendToGroup(child, "SIGKILL"), SAVE_GRACE_MS).unref();
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.deadlineSeconds * 1000);
    deadline.unref();
    options.abort?.addEventListener("abort", stop, { once: true });
    const finish = (status: number | null, extra?: string) => {
      clearTimeout(deadline);
      options.abort?.removeEventListener("abort", stop);
      if (extra) output.push(extra);
      if (timedOut) {
        output.push(
          `${options.label} did not finish within ${options.deadlineSeconds} s (TERRAFORM_TIMEOUT) and was stopped.`,
        );
      }
      resolve({ status, output: output.join("\n"), stdout, timedOut, seconds: (Date.now() - started) / 1000 });
    };
    child.once("error", (error) => {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      finish(
        127,
        missing
          ? `${binary} was not found on PATH. Install Terraform or OpenTofu (see the README's prerequisites).`
          : String(error),
      );
    });
    child.once("close", (code) => finish(code));
  });
}

/**
 * The Terraform errors in an output, one line each, e.g. "Error: Unsupported
 * argument on cdk.tf.json line 12 … An argument named "bogus" is not expected here."
 * Terraform draws each diagnostic in a box (╷ │ ╵); the box goes, the words stay.
 */
export function terraformErrors(output: string): string[] {
  const errors: string[][] = [];
  let current: string[] | undefined;
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^[│╷╵]\s?/, "").trim();
    if (line.startsWith("Error: ")) errors.push((current = [line]));
    else if (raw.startsWith("╵")) current = undefined;
    else if (current && line) current.push(line);
  }
  return errors.map((lines) => lines.join(" ").replace(/\s+/g, " "));
}
