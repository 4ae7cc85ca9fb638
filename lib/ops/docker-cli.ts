import { spawnSync } from "node:child_process";
import { CommandError } from "../errors";

/** The docker CLI is missing or the engine does not answer. */
export class DockerUnavailableError extends CommandError {
  override name = "DockerUnavailableError";
}

/**
 * Runs the docker CLI and returns its standard output, trimmed. Throws a
 * DockerUnavailableError naming the fix when the CLI or the engine is
 * missing, and an Error when the command fails unless `allowFailure` is set.
 */
export function docker(args: readonly string[], options: { allowFailure?: boolean } = {}): string {
  const result = spawnSync("docker", args, { encoding: "utf8" });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new DockerUnavailableError("The docker command was not found. Install Docker and make sure `docker` is on PATH.");
  }
  if (result.status !== 0) {
    const stderr = result.stderr.trim();
    if (/Cannot connect to the Docker daemon|Is the docker daemon running|permission denied.*docker\.sock/i.test(stderr)) {
      throw new DockerUnavailableError(
        `Docker is not reachable (${stderr.split("\n")[0].replace(/^error during connect: /i, "")}); start Docker or set DOCKER_HOST, then run the command again.`,
      );
    }
    if (!options.allowFailure) throw new Error(`docker ${args.join(" ")} failed: ${stderr}`);
  }
  return result.stdout.trim();
}

/** Non-empty lines of a docker listing. */
export function lines(output: string): string[] {
  return output.split("\n").map((l) => l.trim()).filter(Boolean);
}
