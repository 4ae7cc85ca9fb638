import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "../stacks/project-state";

/** Terraform's local backend keeps `.<stack>.tfstate.lock.info` beside a state while it holds it. */
const LOCK_INFO = /^\.(.+)\.tfstate\.lock\.info$/;

/** Stacks whose state a Terraform process locked at or after `since` and still holds. */
export function stacksLockedSince(projectRoot: string, since: number): string[] {
  const dir = join(projectRoot, STATE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, stack: LOCK_INFO.exec(name)?.[1] }))
    .filter((f): f is { name: string; stack: string } => f.stack !== undefined)
    .filter((f) => statSync(join(dir, f.name)).mtimeMs >= since)
    .map((f) => f.stack)
    .sort();
}

/**
 * Waits until Terraform has saved and unlocked every stack state it locked
 * since `since`. cdktf returns at once on Ctrl-C while the Terraform it
 * started is still stopping and writing its state; returning then would let
 * the next command start on a state that is still being written. A lock file
 * left by a killed process never goes away, hence the deadline.
 * Resolves to the stacks still locked at the deadline.
 */
export async function waitForStateLocks(
  projectRoot: string,
  since: number,
  log: (line: string) => void,
  deadlineSeconds = 60,
): Promise<string[]> {
  const deadline = Date.now() + deadlineSeconds * 1000;
  let said = "";
  for (;;) {
    const locked = stacksLockedSince(projectRoot, since);
    if (locked.length === 0 || Date.now() >= deadline) return locked;
    const line = `waiting for Terraform to save the state of ${locked.join(", ")}`;
    if (line !== said) log(line);
    said = line;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
