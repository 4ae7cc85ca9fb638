/**
 * One contender in the project-lock race test: says "ready", waits until the
 * file `<dir>/go` exists (so that every contender tries at once), tries to
 * take the lock, prints "won <pid>" or the refusal, and holds a won lock
 * until `<dir>/done` exists.
 * Usage: tsx contender.ts <project dir>
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { acquireProjectLock, ProjectLockedError } from "../../lib/process/project-lock";

const dir = process.argv[2];
const until = async (file: string) => {
  const deadline = Date.now() + 60_000;
  while (!existsSync(join(dir, file))) {
    if (Date.now() > deadline) throw new Error(`no ${file} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
console.log("ready");
await until("go");
try {
  const release = acquireProjectLock(dir, `contender ${process.pid}`);
  console.log(`won ${process.pid}`);
  await until("done");
  release();
} catch (error) {
  if (!(error instanceof ProjectLockedError)) throw error;
  console.log(`refused: ${error.message}`);
}
