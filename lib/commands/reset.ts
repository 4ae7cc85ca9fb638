/**
 * `npm run reset [-- --yes]`: removes everything of the project, whether the stack is up,
 * stopped or half-gone: containers, the network, the data volumes and every
 * stack's Terraform state (see project-removal.ts). Images stay, and so do
 * snapshots.
 */
import { createInterface } from "node:readline/promises";
import { projectRemoval } from "./support/project-removal";
import { PROJECT_ROOT } from "../project-root";
import { defineCommand } from "./support/define-command";

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

await defineCommand({
  name: "reset",
  usage: "usage: npm run reset [-- --yes]",
  arguments: { options: { yes: { type: "boolean", default: false } } },
  localOnly: true,
  // It must work whatever the settings say: it reads none.
  readsConfig: false,
  takesLock: true,
  async run({ args, runtime, interrupts }) {
    const removal = await projectRemoval(runtime, PROJECT_ROOT);
    if (removal.nothingLeft) {
      console.log("reset: nothing of the project is left; nothing to do.");
      return 0;
    }
    console.log("reset: about to remove");
    for (const [what, items] of removal.plan) if (items.length > 0) console.log(`  ${what}: ${items.join(", ")}`);
    if (!(await confirmed(args.values.yes!))) {
      console.log("reset: nothing was removed.");
      return 1;
    }
    // Listened for only now: at the prompt, Ctrl-C means no.
    if (!(await removal.remove(interrupts(), "reset"))) return 1;
    console.log("reset: done. `npm run deploy` starts from nothing.");
    return 0;
  },
});
