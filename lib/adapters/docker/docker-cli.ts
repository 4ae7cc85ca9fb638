import { execFile, spawnSync } from "node:child_process";
import { CommandError } from "../../errors";

/** The docker CLI is missing or the engine does not answer. */
export class DockerUnavailableError extends CommandError {
  override name = "DockerUnavailableError";
}

/** How long a docker call may take unless its caller says otherwise: far beyond any listing or inspect. */
export const DOCKER_DEADLINE_SECONDS = 60;

export interface DockerCallOptions {
  /** Return the output even when docker exits non-zero (e.g. inspect of something absent: ""). */
  readonly allowFailure?: boolean;
  /** Seconds before the call is killed and reported as hung. @default 60 */
  readonly deadlineSeconds?: number;
}

/** How a docker call ended: its exit code and output, trimmed. */
export interface DockerResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the docker CLI, with a deadline, and says how it ended without
 * judging a non-zero exit: for callers that decide what a failure means
 * (the test servers: a container to remove, a start to report). Throws a
 * DockerUnavailableError naming the fix when the CLI is missing or the call
 * passes its deadline.
 */
export function runDocker(
  args: readonly string[],
  options: Pick<DockerCallOptions, "deadlineSeconds"> = {},
): DockerResult {
  const deadlineSeconds = options.deadlineSeconds ?? DOCKER_DEADLINE_SECONDS;
  const result = spawnSync("docker", args, {
    encoding: "utf8",
    timeout: deadlineSeconds * 1000,
    killSignal: "SIGKILL",
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new DockerUnavailableError(
      "The docker command was not found. Install Docker and make sure `docker` is on PATH.",
    );
  }
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    throw new DockerUnavailableError(
      `\`docker ${args.join(" ")}\` did not answer within ${deadlineSeconds} s and was stopped; the Docker engine may be hung or overloaded (try \`docker info\`, or restart Docker), then run the command again.`,
    );
  }
  return { status: result.status, stdout: (result.stdout ?? "").trim(), stderr: (result.stderr ?? "").trim() };
}

/**
 * {@link runDocker} without blocking: for calls that run side by side, such
 * as stopping several containers, each with its grace period.
 */
export function runDockerAsync(
  args: readonly string[],
  options: Pick<DockerCallOptions, "deadlineSeconds"> & { readonly signal?: AbortSignal } = {},
): Promise<DockerResult> {
  const deadlineSeconds = options.deadlineSeconds ?? DOCKER_DEADLINE_SECONDS;
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      args,
      { encoding: "utf8", timeout: deadlineSeconds * 1000, killSignal: "SIGKILL", signal: options.signal },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (code === "ABORT_ERR") {
          resolve({ status: 130, stdout: "", stderr: "interrupted" });
        } else if (code === "ENOENT") {
          reject(
            new DockerUnavailableError(
              "The docker command was not found. Install Docker and make sure `docker` is on PATH.",
            ),
          );
        } else if (error?.killed) {
          reject(
            new DockerUnavailableError(
              `\`docker ${args.join(" ")}\` did not answer within ${deadlineSeconds} s and was stopped; the Docker engine may be hung or overloaded (try \`docker info\`, or restart Docker), then run the command again.`,
            ),
          );
        } else {
          resolve({
            status: typeof code === "number" ? code : error ? 1 : 0,
            stdout: stdout.trim(),
            stderr: stderr.trim(),
          });
        }
      },
    );
  });
}

/** The engine's complaint when it cannot be reached at all, as a DockerUnavailableError naming the fix. */
function unreachable(stderr: string): DockerUnavailableError | undefined {
  if (!/Cannot connect to the Docker daemon|Is the docker daemon running|permission denied.*docker\.sock/i.test(stderr))
    return undefined;
  return new DockerUnavailableError(
    `Docker is not reachable (${stderr.split("\n")[0].replace(/^error during connect: /i, "")}); start Docker or set DOCKER_HOST, then run the command again.`,
  );
}

/** A docker call that failed for a reason other than an unreachable engine. */
export class DockerCallError extends CommandError {
  override name = "DockerCallError";
}

/** What a failed call means: an unreachable engine, a failure the caller allows (""), or a DockerCallError. */
function judged(args: readonly string[], result: DockerResult, options: DockerCallOptions): string {
  if (result.status !== 0) {
    const down = unreachable(result.stderr);
    if (down) throw down;
    if (!options.allowFailure)
      throw new DockerCallError(
        `docker ${args.join(" ")} failed: ${result.stderr || `exit ${result.status}`}. Check that Docker is healthy (docker info), then run the command again.`,
      );
  }
  return result.stdout;
}

/**
 * Runs the docker CLI and returns its standard output, trimmed. Throws a
 * DockerUnavailableError naming the fix when the CLI or the engine is
 * missing or the call passes its deadline, and a DockerCallError with the
 * engine's answer when the command fails, unless `allowFailure` is set.
 */
export async function dockerAsync(args: readonly string[], options: DockerCallOptions = {}): Promise<string> {
  return judged(args, await runDockerAsync(args, options), options);
}

/** {@link dockerAsync}, blocking: for the test servers' set-up, which has nothing else to do meanwhile. */
export function docker(args: readonly string[], options: DockerCallOptions = {}): string {
  return judged(args, runDocker(args, options), options);
}

/** Non-empty lines of a docker listing. */
export function lines(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}
