import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
  /**
   * When the holder's process started (clock ticks since boot, from
   * /proc/<pid>/stat) and the boot it ran in: a pid is reused after a
   * restart (of the machine, or of the container the project runs in), and
   * only the same pid with the same start is the holder. Absent where there
   * is no /proc (macOS), and in locks written before they were recorded.
   */
  readonly processStart?: string;
  readonly bootId?: string;
}

/**
 * Whether `pid` still runs. A zombie (killed, not yet reaped by its parent)
 * or a process being torn down counts as gone: it will never release the
 * lock itself. Without /proc (macOS), a signal 0 is all there is to ask.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may hold spaces and parentheses, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X" && state !== "x";
  } catch {
    return true;
  }
}

/** When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined without /proc. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ", the fields run from the state (field 3); the start time is field 22.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** The running kernel's boot id: another one means the machine restarted since. */
function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Whether the holder still runs: its pid runs, and it is the same process (started when the holder did, in this boot). */
export function holderRuns(holder: Pick<LockHolder, "pid" | "processStart" | "bootId">): boolean {
  if (!isRunning(holder.pid)) return false;
  if (holder.bootId !== undefined && bootId() !== undefined && holder.bootId !== bootId()) return false;
  const started = processStart(holder.pid);
  return holder.processStart === undefined || started === undefined || started === holder.processStart;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Creates `path` holding `text`, atomically: it appears whole or not at all. False when it exists. */
function createWhole(path: string, text: string): boolean {
  const draft = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(draft, text);
  try {
    // link() fails when the target exists, and never shows a half-written file.
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Removes the lock left by `stale`, a holder that no longer runs, unless
 * another process has taken the lock since it was read. Only one process at a
 * time may take over (a second lock, `<lock>.takeover`, held for a moment):
 * without it, two processes that both read the same dead holder could each
 * delete what the other had just created.
 */
function removeStale(path: string, stale: LockHolder | undefined): void {
  const takeover = `${path}.takeover`;
  if (!createWhole(takeover, String(process.pid))) {
    // Another process is taking over right now; a takeover lock older than 10 s was left by a killed one.
    const age = Date.now() - (statSync(takeover, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 10_000) rmSync(takeover, { force: true });
    return;
  }
  try {
    const now = readHolder(path);
    const same = stale === undefined ? now === undefined : now?.pid === stale.pid && now.startedAt === stale.startedAt;
    if (same) rmSync(path, { force: true });
  } finally {
    rmSync(takeover, { force: true });
  }
}

/**
 * Takes the project's lock for `command` (deploy, plan, stop, reset, validate,
 * snapshot save, restore and delete, migrate), so
 * that two of them never synthesize into the same cdktf.out or apply the same
 * stacks at once. The lock file is created whole, with its holder in it, or
 * not at all, so of any number of commands started together exactly one gets
 * it. The others throw a ProjectLockedError naming the holder and the file;
 * nobody waits. A lock whose holder no longer runs (killed, or the machine
 * or container restarted, so that its pid may now be another process's) is
 * taken over. The lock is released by the returned function, and in any case when
 * this process exits.
 */
export function acquireProjectLock(projectRoot: string, command: string): () => void {
  const path = join(projectRoot, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    command,
    startedAt: new Date().toISOString(),
    processStart: processStart(process.pid),
    bootId: bootId(),
  };
  for (let attempt = 0; !createWhole(path, JSON.stringify(me)); attempt += 1) {
    const holder = readHolder(path);
    if (holder && holderRuns(holder)) {
      throw new ProjectLockedError(
        `${holder.command} (pid ${holder.pid}, started ${holder.startedAt}) is already changing this stack; ` +
          `nothing was done. Wait for it to finish, then run ${command} again. ` +
          `If no such command runs (\`ps -p ${holder.pid}\` shows none, or another program), the lock was left behind: ` +
          `delete ${LOCK_FILE} in the project folder and run ${command} again.`,
      );
    }
    if (attempt >= 20) {
      throw new ProjectLockedError(`could not take ${path}: other commands keep taking it over. Run ${command} again.`);
    }
    removeStale(path, holder);
  }
  const release = () => {
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    process.off("exit", release);
  };
  process.on("exit", release);
  return release;
}
