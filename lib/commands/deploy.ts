/**
 * `npm run deploy [-- --allow-data-loss]`: checks that a deploy can work
 * (pre-flight), pulls the images that are not here (all at once, with their
 * progress), synthesizes, then creates or repairs every stack with
 * Terraform, each as soon as the stacks it depends on are done and the
 * service it talks to is ready (see stack-runner.ts). It never deletes or
 * replaces a topic or a volume unless --allow-data-loss is given: such a
 * plan is refused with what it would lose. Holds the project's lock: a
 * second deploy, plan, stop, reset, validate, snapshot or migrate started
 * meanwhile ends at once, naming this one.
 * Exit codes: 0; 1 when pre-flight or a stack fails, data would be lost, or
 * the stack is locked; 2 on bad settings or usage; 130 after Ctrl-C, 143
 * after SIGTERM (Terraform saved its state first).
 */
import { defineCommand } from "./support/define-command";
import { deployStack } from "./support/deploy-stack";

await defineCommand({
  name: "deploy",
  usage: "usage: npm run deploy [-- --allow-data-loss]",
  arguments: { options: { "allow-data-loss": { type: "boolean", default: false } } },
  takesLock: true,
  interruptible: true,
  run: ({ args, config, runtime, interrupts }) =>
    deployStack(config, runtime, { allowDataLoss: args.values["allow-data-loss"]!, interrupts: interrupts() }),
});
