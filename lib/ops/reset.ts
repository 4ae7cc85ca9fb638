/**
 * `npm run reset`: removes everything of the project, whether the stack is up,
 * stopped or half-gone: containers, the network, the data volumes and every
 * stack's Terraform state. Images stay. It talks to Docker directly rather
 * than through Terraform, so it also works when the state is lost or the
 * broker is down (destroying topics through Terraform needs a live broker).
 */
import { rmSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { docker, DockerUnavailableError } from "./docker-cli";
import { findProjectObjects } from "./project-objects";
import { STATE_DIR } from "../stacks/project-state";

function main(projectRoot: string): void {
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
    return;
  }
  console.log("reset: removing");
  for (const [what, items] of plan) if (items.length > 0) console.log(`  ${what}: ${items.join(", ")}`);

  // Containers first: a volume or network in use cannot be removed.
  if (found.containers.length > 0) docker(["rm", "--force", "--volumes", ...found.containers]);
  if (found.networks.length > 0) docker(["network", "rm", ...found.networks]);
  if (found.volumes.length > 0) docker(["volume", "rm", ...found.volumes]);
  rmSync(stateDir, { recursive: true, force: true });
  console.log("reset: done. `npm run deploy` starts from nothing.");
}

try {
  main(process.cwd());
} catch (error) {
  if (error instanceof DockerUnavailableError) {
    console.error(`reset: ${error.message}\nNothing was removed.`);
    process.exit(1);
  }
  throw error;
}
