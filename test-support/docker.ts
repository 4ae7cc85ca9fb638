import { spawnSync } from "node:child_process";

/**
 * Runs a docker command for the test servers and returns how it ended,
 * never throwing: the servers decide what a failure means (a container to
 * remove, a start to report).
 */
export function docker(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("docker", args, { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout?.trim() ?? "", stderr: result.stderr?.trim() ?? "" };
}
