import { spawnSync } from "node:child_process";

/**
 * Runs a docker command for the test servers and returns how it ended,
 * never throwing: the servers decide what a failure means (a container to
 * remove, a start to report).
 */
export function docker(args: readonly string[], deadlineSeconds = 300): { status: number | null; stdout: string; stderr: string } {
  // A deadline, so a hung engine fails the test server's start rather than the whole suite's time.
  const result = spawnSync("docker", args, { encoding: "utf8", timeout: deadlineSeconds * 1000, killSignal: "SIGKILL" });
  return { status: result.status, stdout: result.stdout?.trim() ?? "", stderr: result.stderr?.trim() ?? "" };
}
