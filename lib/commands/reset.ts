/**
 * `npm run reset [-- --yes]`: removes everything of the project, whether the stack is up,
 * stopped or half-gone: containers, the network, the data volumes and every
 * stack's Terraform state (see project-removal.ts). Images stay, and so do
 * snapshots.
 */
import { createInterface } from "node:readline/promises";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { loadDotEnv } from "../load-env";
import { refuseOnCluster } from "./support/local-only";
import { projectRemoval } from "./support/project-removal";
import { acquireProjectLock } from "../process/project-lock";
import { PROJECT_ROOT } from "../project-root";
import { Interrupts } from "../process/interrupts";

/** Asks on the terminal; without one, only --yes can confirm. */
async function confirmed(assumeYes: boolean): Promise<boolean> {
  if (assumeYes) return true;
  if (!process.stdin.isTTY) {
    console.error("reset: this deletes all data. Confirm with: npm run reset -- --yes");
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C at the prompt (the terminal is in raw mode, so no signal comes) means no.
  const cancelled = new Promise<string>((resolve) => prompt.once("SIGINT", () => resolve("")));
  const answer = await Promise.race([
    prompt.question("Delete all of this, data included? Type 'yes' to confirm: "),
    cancelled,
  ]);
  prompt.close();
  return answer.trim().toLowerCase() === "yes";
}

async function main(projectRoot: string, assumeYes: boolean): Promise<number> {
  acquireProjectLock(projectRoot, "npm run reset");
  const removal = projectRemoval(projectRoot);
  if (removal.nothingLeft) {
    console.log("reset: nothing of the project is left; nothing to do.");
    return 0;
  }
  console.log("reset: about to remove");
  for (const [what, items] of removal.plan) if (items.length > 0) console.log(`  ${what}: ${items.join(", ")}`);
  if (!(await confirmed(assumeYes))) {
    console.log("reset: nothing was removed.");
    return 1;
  }
  const interrupts = new Interrupts("reset").install();
  try {
    if (!removal.remove(interrupts, "reset")) return interrupts.interrupted ? interrupts.exitCode : 1;
  } finally {
    interrupts.stop();
  }
  console.log("reset: done. `npm run deploy` starts from nothing.");
  return 0;
}

await runCommand("reset", async () => {
  const yes = readArguments("usage: npm run reset [-- --yes]", {
    options: { yes: { type: "boolean", default: false } },
  }).values.yes!;
  loadDotEnv();
  refuseOnCluster("npm run reset", process.env);
  return main(PROJECT_ROOT, yes);
});
