import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * Processes working in `dir` or below it (a Terraform or provider plugin a
 * killed command left behind), as "pid command (cwd)"; read from /proc, so
 * none are found elsewhere. Even once the folder is deleted.
 */
export function leftoverProcesses(dir: string): string[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`).replace(/ \(deleted\)$/, "");
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) return [];
      return [`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]} (${cwd})`];
    } catch {
      return [];
    }
  });
}

/** Ends every process `leftoverProcesses` finds in `dir`, by pid, and says which it ended. */
export function endLeftoverProcesses(dir: string): string[] {
  const left = leftoverProcesses(dir);
  for (const entry of left) {
    try {
      process.kill(Number(entry.split(" ")[0]), "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  return left;
}
