import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireProjectLock, isRunning, LOCK_FILE, ProjectLockedError } from "../lib/process/project-lock";
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
      new RegExp(`^npm run deploy \\(pid ${process.pid}, started .+\\) is already changing this stack; nothing was done\\. Wait for it to finish, then run npm run stop again\\.$`),
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

  it.runIf(process.platform === "linux")("takes over at once from a holder that was killed but not yet reaped (a zombie)", async () => {
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
  });
});
