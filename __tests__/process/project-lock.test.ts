import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  acquireProjectLock,
  isRunning,
  LOCK_FILE,
  processStart,
  ProjectLockedError,
} from "../../lib/process/project-lock";
import { spawn } from "node:child_process";

const dirs: string[] = [];
const project = () => {
  const dir = mkdtempSync(join(tmpdir(), "chatbattle-lock-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the project lock", () => {
  it("refuses a second holder, naming the first, until it is released", () => {
    const dir = project();
    const release = acquireProjectLock(dir, "npm run deploy");
    expect(() => acquireProjectLock(dir, "npm run stop")).toThrow(ProjectLockedError);
    expect(() => acquireProjectLock(dir, "npm run stop")).toThrow(
      new RegExp(
        `^npm run deploy \\(pid ${process.pid}, started .+\\) is already changing this stack; nothing was done\\. Wait for it to finish, then run npm run stop again\\. ` +
          `If no such command runs \\(\`ps -p ${process.pid}\` shows none, or another program\\), the lock was left behind: delete \\.chatbattle\\.lock in the project folder and run npm run stop again\\.$`,
      ),
    );
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    acquireProjectLock(dir, "npm run stop")();
  });

  it("takes over a lock whose holder is no longer running", () => {
    const dir = project();
    // A pid that certainly ended: a child that has exited.
    const gone = spawnSync("true").pid!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: gone, command: "npm run deploy", startedAt: "then" }));
    const release = acquireProjectLock(dir, "npm run deploy");
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    release();
  });

  it.runIf(process.platform === "linux")(
    "takes over from a running process that only has the holder's pid: a pid reused after a restart",
    () => {
      const dir = project();
      // This process runs, but it is not the one that took the lock: that one started at another time, or in another boot.
      const holder = { pid: process.pid, command: "npm run deploy", startedAt: "before the restart" };
      for (const differs of [{ processStart: "1" }, { bootId: "00000000-0000-0000-0000-000000000000" }]) {
        writeFileSync(
          join(dir, LOCK_FILE),
          JSON.stringify({ ...holder, processStart: processStart(process.pid), ...differs }),
        );
        const release = acquireProjectLock(dir, "npm run stop");
        expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).command).toBe("npm run stop");
        release();
      }
      // The same pid with the same start is the holder, and is refused.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...holder, processStart: processStart(process.pid) }));
      expect(() => acquireProjectLock(dir, "npm run stop")).toThrow(ProjectLockedError);
    },
  );

  it.runIf(process.platform === "linux")(
    "takes over at once from a holder that was killed but not yet reaped (a zombie)",
    async () => {
      // sh starts a short sleep in the background and becomes a long one, which never
      // reaps it: the short one ends after sh is gone, and stays a zombie.
      const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 10"], { stdio: ["ignore", "pipe", "ignore"] });
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d) => resolve(String(d)))));
      try {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(() => process.kill(pid, 0)).not.toThrow();
        expect(isRunning(pid)).toBe(false);
        const dir = project();
        writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, command: "npm run deploy", startedAt: "then" }));
        acquireProjectLock(dir, "npm run deploy")();
      } finally {
        parent.kill("SIGKILL");
      }
    },
  );
});
