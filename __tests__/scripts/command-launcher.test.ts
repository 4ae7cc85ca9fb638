/**
 * scripts/command.mjs, which every npm script of a command goes through: it
 * runs the command compiled ahead, and an edit of any source is in the very
 * next run, never a stale compiled copy.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyProject } from "../../test-support/project-copy";

const project = copyProject(["lib", "scripts", ".gen", "package.json", "tsconfig.json"], "chatbattle-launcher-");
afterAll(() => project.remove());

const run = (...args: string[]) =>
  spawnSync("node", ["scripts/command.mjs", ...args], { cwd: project.dir, encoding: "utf8", timeout: 60_000 });

describe("node scripts/command.mjs <command>", () => {
  it("runs the command with its own arguments, and an edit of lib/ in the next run", () => {
    const first = run("deploy", "--no-such-option");
    expect(first.status).toBe(2);
    expect(first.stderr).toContain("usage: npm run deploy [-- --allow-data-loss]");

    const source = join(project.dir, "lib", "commands", "deploy.ts");
    writeFileSync(
      source,
      readFileSync(source, "utf8").replace("usage: npm run deploy [", "usage (edited): npm run deploy ["),
    );
    const second = run("deploy", "--no-such-option");
    expect(second.status).toBe(2);
    expect(second.stderr).toContain("usage (edited): npm run deploy [-- --allow-data-loss]");
    // One compiled module per version of the sources, kept in the project's own .cache/.
    expect(readdirSync(join(project.dir, ".cache", "commands")).filter((f) => f.startsWith("deploy-"))).toHaveLength(2);
  });

  it("names a command that does not exist, exit 2", () => {
    const result = run("no-such-command");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no-such-command: no such command (lib/commands/no-such-command.ts)");
  });
});
