import { requireSuccess, startCommand } from "../test-support/command";

/**
 * Runs a command to its end, in a process group of its own under a deadline,
 * and resolves the seconds it took. It fails, with its last output lines, when
 * it exits non-zero or passes the deadline: a benchmark must never hang, nor
 * time a failure as if it were a result.
 */
export async function timed(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; deadlineSeconds: number },
): Promise<number> {
  return requireSuccess(command, await startCommand(command, options).done).seconds;
}
