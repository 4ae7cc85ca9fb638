/**
 * `npm run stop`: says what goes and what stays, then destroys the kafka,
 * cassandra and network stacks. The volumes stack, the topics and the schema
 * are left alone, so the next deploy brings the same data back.
 *
 * One stack per cdktf call: cdktf 0.21, given several stacks and
 * --ignore-missing-stack-dependencies, keeps handing out a stack that is
 * already being destroyed and starts `terraform destroy` on it again and
 * again, so it never ends. The first call synthesizes; the others reuse it.
 */
import { CONTAINER_NAMES, STACK_NAMES, NETWORK_NAME, VOLUME_NAMES } from "../names";
import { acquireProjectLock } from "./project-lock";
import { providerLockFlags, runCdktf } from "./cdktf-cli";
import { runCommand } from "./run-command";
import { PROJECT_ROOT } from "../project-root";

const projectRoot = PROJECT_ROOT;

/** Dependants before what they depend on: the network goes last. */
const STOPPED_STACKS = [STACK_NAMES.kafka, STACK_NAMES.cassandra, STACK_NAMES.network];

async function main(): Promise<number> {
  acquireProjectLock(projectRoot, "npm run stop");
  console.log(`stop: removing containers ${Object.values(CONTAINER_NAMES).join(", ")} and network ${NETWORK_NAME}`);
  console.log(`stop: keeping volumes ${Object.values(VOLUME_NAMES).join(", ")}, the topics and the schema`);
  for (const [index, stack] of STOPPED_STACKS.entries()) {
    // The topics and schema stacks depend on these and stay: hence --ignore-missing-stack-dependencies.
    const args = ["destroy", stack, "--auto-approve", "--ignore-missing-stack-dependencies", ...providerLockFlags(process.env)];
    const code = await runCdktf(projectRoot, index === 0 ? args : [...args, "--skip-synth"], process.env);
    if (code !== 0) {
      console.error(`stop: destroying the ${stack} stack failed (exit ${code}); see above. Nothing after it was removed.`);
      return code;
    }
  }
  console.log("stop: done. `npm run deploy` starts the stack again with its data.");
  return 0;
}

await runCommand("stop", main);
