/**
 * `npm run reset [-- --yes]`: removes everything of the project, whether the stack is up,
 * stopped or half-gone: containers, the network, the data volumes and every
 * stack's Terraform state. Images stay. It talks to Docker directly rather
 * than through Terraform, so it also works when the state is lost or the
 * broker is down (destroying topics through Terraform needs a live broker).
 */
import { rmSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { runCommand } from "../process/run-command";
import { readArguments } from "./support/arguments";
import { loadDotEnv } from "../load-env";
import { refuseOnCluster } from "./support/local-only";
import { docker } from "../adapters/docker/docker-cli";
import { findProjectObjects } from "../adapters/docker/project-objects";
import { acquireProjectLock } from "../process/project-lock";
import { PROJECT_ROOT, STATE_DIR, SYNTH_DIR } from "../project-root";
import { removeDeployedStamp } from "../checks/up-to-date";
import { Interrupts } from "../process/interrupts";

/** `docker rm --force` kills at once; it still may wait on a busy engine. */
const STOP_DEADLINE_SECONDS = 120;

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
  const answer = await Promise.race([prompt.question("Delete all of this, data included? Type 'yes' to confirm: "), cancelled]);
  prompt.close();
  return answer.trim().toLowerCase() === "yes";
}

async function main(projectRoot: string, assumeYes: boolean): Promise<number> {
  acquireProjectLock(projectRoot, "npm run reset");
  const found = findProjectObjects();
  const stateDir = join(projectRoot, STATE_DIR);
  const stateFiles = existsSync(stateDir) ? readdirSync(stateDir).map((f) => join(STATE_DIR, f)) : [];

  const plan = [
    ["containers", found.containers],
    ["networks", found.networks],
    ["volumes (all data)", found.volumes],
    ["Terraform state", stateFiles],
  ] as const;
  if (plan.every(([, items]) => items.length === 0)) {
    console.log("reset: nothing of the project is left; nothing to do.");
    return 0;
  }
  console.log("reset: about to remove");
  for (const [what, items] of plan) if (items.length > 0) console.log(`  ${what}: ${items.join(", ")}`);
  if (!(await confirmed(assumeYes))) {
    console.log("reset: nothing was removed.");
    return 1;
  }

  // Containers first: a volume or network in use cannot be removed. A signal is
  // handled between the steps: each docker call is short and has a deadline.
  const interrupts = new Interrupts("reset").install();
  try {
    const steps: [string, readonly string[], () => void][] = [
      ["containers", found.containers, () => docker(["rm", "--force", "--volumes", ...found.containers], { deadlineSeconds: STOP_DEADLINE_SECONDS })],
      ["networks", found.networks, () => docker(["network", "rm", ...found.networks])],
      ["volumes", found.volumes, () => docker(["volume", "rm", ...found.volumes])],
      [
        "Terraform state",
        stateFiles,
        () => {
          rmSync(stateDir, { recursive: true, force: true });
          removeDeployedStamp(SYNTH_DIR);
        },
      ],
    ];
    for (const [i, [, items, remove]] of steps.entries()) {
      if (interrupts.interrupted) {
        const left = steps.slice(i).filter(([, rest]) => rest.length > 0).map(([name]) => name);
        console.error(`reset: interrupted; still there: ${left.join(", ") || "nothing"}. Run npm run reset again to finish.`);
        return interrupts.exitCode;
      }
      if (items.length > 0) remove();
    }
  } finally {
    interrupts.stop();
  }
  console.log("reset: done. `npm run deploy` starts from nothing.");
  return 0;
}

await runCommand("reset", async () => {
  const yes = readArguments("usage: npm run reset [-- --yes]", { options: { yes: { type: "boolean", default: false } } }).values.yes!;
  loadDotEnv();
  refuseOnCluster("npm run reset", process.env);
  return main(PROJECT_ROOT, yes);
});
