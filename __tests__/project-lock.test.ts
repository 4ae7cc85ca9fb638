import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireProjectLock, LOCK_FILE, ProjectLockedError } from "../lib/ops/project-lock";

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
});
