import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { isRunning } from "../../process/project-lock";

/**
 * Terraform processes still working in `stacksDir`, left by a command that
 * was killed with -9 (they run in process groups of their own and outlive
 * it). Linux only (read from /proc); elsewhere none are found.
 */
export function leftoverTerraform(stacksDir: string, binary: string): { pid: number; stack: string }[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids.flatMap((p) => {
    try {
      const cwd = readlinkSync(`/proc/${p}/cwd`);
      if (!cwd.startsWith(`${stacksDir}/`)) return [];
      const command = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0];
      return basename(command) === basename(binary) ? [{ pid: Number(p), stack: basename(cwd) }] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Asks each leftover Terraform to stop (SIGINT: it saves its state) and waits
 * for them, up to `deadlineSeconds`, then kills what is left. A new run
 * working beside them would race them on the same Docker objects.
 */
export async function stopLeftoverTerraform(
  stacksDir: string,
  binary: string,
  say: (line: string) => void,
  deadlineSeconds = 120,
): Promise<void> {
  const left = leftoverTerraform(stacksDir, binary);
  if (left.length === 0) return;
  say(`stopping Terraform left running by a command that was killed (${left.map((l) => `pid ${l.pid} in ${l.stack}`).join(", ")}) and waiting for it to save its state`);
  for (const { pid } of left) signal(pid, "SIGINT");
  const deadline = Date.now() + deadlineSeconds * 1000;
  while (left.some((l) => isRunning(l.pid))) {
    if (Date.now() > deadline) {
      for (const { pid } of left) signal(pid, "SIGKILL");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
