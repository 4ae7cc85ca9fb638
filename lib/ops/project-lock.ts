import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CommandError } from "../errors";

/** File in the project folder that the command changing the stacks holds. */
export const LOCK_FILE = ".chatbattle.lock";

/** Another command is changing the stacks of this project folder. */
export class ProjectLockedError extends CommandError {
  override name = "ProjectLockedError";
}

interface LockHolder {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * Takes the project's lock for `command` (deploy, stop, reset), so that two of
 * them never synthesize into the same cdktf.out or apply the same stacks at
 * once. Throws a ProjectLockedError naming the holder when it is taken; a lock
 * left by a process that no longer runs (killed) is taken over. The lock is
 * released by the returned function, and in any case when this process exits.
 */
export function acquireProjectLock(projectRoot: string, command: string): () => void {
  const path = join(projectRoot, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const holder = readHolder(path);
      if (holder && isRunning(holder.pid)) {
        throw new ProjectLockedError(
          `${holder.command} (pid ${holder.pid}, started ${holder.startedAt}) is already changing this stack; ` +
            `nothing was done. Wait for it to finish, then run ${command} again.`,
        );
      }
      // Its holder is gone (killed, or the machine restarted): nothing is running, so take it over.
      rmSync(path, { force: true });
    }
  }
  const release = () => {
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    process.off("exit", release);
  };
  process.on("exit", release);
  return release;
}
