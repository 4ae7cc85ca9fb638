import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../test-support/synth";
import { waitUntil } from "../../test-support/wait";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-lock-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A contender process (test-support/lock/contender.ts) and its output so far. */
function contender() {
  const child = spawn(
    join(PROJECT_ROOT, "node_modules/.bin/tsx"),
    [join(PROJECT_ROOT, "test-support/lock/contender.ts"), dir],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { pid: child.pid!, output: () => output, exited };
}

describe("the project lock, raced", () => {
  it("goes to exactly one of 20 processes that try at once; the other 19 name it", async () => {
    const contenders = Array.from({ length: 20 }, contender);
    try {
      await waitUntil(
        () => contenders.every((c) => c.output().includes("ready")),
        "all 20 contenders starting",
        60,
        20,
      );
      writeFileSync(join(dir, "go"), "");
      await waitUntil(() => contenders.every((c) => /won|refused/.test(c.output())), "every contender trying", 60, 20);
      const winners = contenders.filter((c) => c.output().includes("won"));
      expect(winners).toHaveLength(1);
      // The pid of the process that took the lock (tsx runs the script in a child of its own).
      const pid = /won (\d+)/.exec(winners[0].output())![1];
      for (const loser of contenders.filter((c) => c !== winners[0])) {
        expect(loser.output()).toContain(`refused: contender ${pid} (pid ${pid}, started `);
      }
    } finally {
      writeFileSync(join(dir, "done"), "");
      await Promise.all(contenders.map((c) => c.exited));
    }
  }, 120_000);
});
