import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { isRunning } from "../../process/project-lock";

/** A process Terraform left behind: Terraform itself, or one of its provider plugins. */
export interface LeftoverProcess {
  readonly pid: number;
  readonly stack: string;
  readonly plugin: boolean;
}

/**
 * Terraform processes still working in `stacksDir`, and the provider plugins
 * they started (terraform-provider-docker, terraform-provider-kafka), left by
 * a command that was killed with -9: they run in process groups of their own
 * and outlive it, and a plugin outlives a Terraform killed with -9 too. Both
 * run in the stack's folder, which is how they are found, even once that
 * folder is deleted. Linux only (read from /proc); elsewhere none are found.
 */
export function leftoverTerraform(stacksDir: string, binary: string): LeftoverProcess[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids.flatMap((p) => {
    try {
      const cwd = readlinkSync(`/proc/${p}/cwd`).replace(/ \(deleted\)$/, "");
      if (!cwd.startsWith(`${stacksDir}/`)) return [];
      const command = basename(readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0]);
      const plugin = command.startsWith("terraform-provider-");
      return command === basename(binary) || plugin ? [{ pid: Number(p), stack: basename(cwd), plugin }] : [];
    } catch {
      return [];
    }
  });
}

/** How long a plugin whose Terraform is gone gets to end by itself after SIGTERM. */
const PLUGIN_GRACE_MS = 5000;

/**
 * Asks each leftover Terraform to stop (SIGINT: it saves its state and ends
 * its plugins) and waits for them, up to `deadlineSeconds`, then kills what
 * is left; then ends the plugins that are still there (their Terraform was
 * killed with -9 and cannot end them), by pid. A new run working beside them
 * would race them on the same Docker objects.
 */
export async function stopLeftoverTerraform(
  stacksDir: string,
  binary: string,
  say: (line: string) => void,
  deadlineSeconds = 120,
): Promise<void> {
  const left = leftoverTerraform(stacksDir, binary);
  const terraform = left.filter((l) => !l.plugin);
  if (terraform.length > 0) {
    say(
      `stopping Terraform left running by a command that was killed (${terraform.map((l) => `pid ${l.pid} in ${l.stack}`).join(", ")}) and waiting for it to save its state`,
    );
    for (const { pid } of terraform) signal(pid, "SIGINT");
    await waitFor(terraform, deadlineSeconds * 1000);
  }
  const plugins = leftoverTerraform(stacksDir, binary);
  if (plugins.length === 0) return;
  say(
    `ending provider plugins left running by a Terraform that was killed (${plugins.map((l) => `pid ${l.pid} in ${l.stack}`).join(", ")})`,
  );
  for (const { pid } of plugins) signal(pid, "SIGTERM");
  await waitFor(plugins, PLUGIN_GRACE_MS);
}

/** Waits until none of `processes` runs; kills what still does after `ms`. */
async function waitFor(processes: readonly LeftoverProcess[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (processes.some((l) => isRunning(l.pid))) {
    if (Date.now() > deadline) {
      for (const { pid } of processes) signal(pid, "SIGKILL");
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
