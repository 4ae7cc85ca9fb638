/**
 * `npm run stop`: says what goes and what stays, then destroys the kafka,
 * cassandra and network stacks. The volumes stack, the topics and the schema
 * are left alone, so the next deploy brings the same data back.
 */
import { spawnSync } from "node:child_process";
import { CONTAINER_NAMES, STACK_NAMES, NETWORK_NAME, VOLUME_NAMES } from "../stacks/names";

console.log(`stop: removing containers ${Object.values(CONTAINER_NAMES).join(", ")} and network ${NETWORK_NAME}`);
console.log(`stop: keeping volumes ${Object.values(VOLUME_NAMES).join(", ")}, the topics and the schema`);
const stacks = [STACK_NAMES.kafka, STACK_NAMES.cassandra, STACK_NAMES.network];
// The topics and schema stacks depend on these; they stay, hence --ignore-missing-stack-dependencies.
const result = spawnSync("npx", ["cdktf", "destroy", ...stacks, "--auto-approve", "--ignore-missing-stack-dependencies"], {
  stdio: "inherit",
});
process.exitCode = result.status ?? 1;
