/**
 * `npm run deploy [-- --allow-data-loss]`: checks that a deploy can work
 * (pre-flight), pulls the images that are not here (all at once, with their
 * progress), synthesizes, then creates or repairs every stack with
 * Terraform, each as soon as the stacks it depends on are done and the
 * service it talks to is ready (see stack-runner.ts). It never deletes or
 * replaces a topic or a volume unless --allow-data-loss is given: such a
 * plan is refused with what it would lose. Holds the project's lock: a
 * second deploy, stop, reset or validate started meanwhile ends at once,
 * naming this one.
 * Exit codes: 0; 1 when pre-flight or a stack fails, data would be lost, or
 * the stack is locked; 2 on bad settings or usage; 130 after Ctrl-C, 143
 * after SIGTERM (Terraform saved its state first).
 */
import { loadDotEnv } from "../load-env";
import { parseConfig } from "../config/config";
import { acquireProjectLock } from "../process/project-lock";
import { runCommand } from "../process/run-command";
import { Interrupts } from "../process/interrupts";
import { readArguments } from "./support/arguments";
import { deployStack } from "./support/deploy-stack";
import { PROJECT_ROOT } from "../project-root";

const USAGE = "usage: npm run deploy [-- --allow-data-loss]";

await runCommand("deploy", async () => {
  const { values } = readArguments(USAGE, { options: { "allow-data-loss": { type: "boolean", default: false } } });
  loadDotEnv();
  const config = parseConfig(process.env);
  acquireProjectLock(PROJECT_ROOT, "npm run deploy");
  const interrupts = new Interrupts("deploy").install();
  try {
    return await deployStack(config, { allowDataLoss: values["allow-data-loss"]!, interrupts });
  } finally {
    interrupts.stop();
  }
});
