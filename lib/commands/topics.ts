/**
 * npm run topics                      — every topic: partitions, replication, declared or not
 * npm run topics -- describe <name>   — partitions with leader, replicas and ISR, and the
 *                                       configs that differ from the broker's defaults
 */
import { topicDefinitions } from "../topics";
import { connectAdmin } from "../adapters/kafka/kafka-admin";
import { kafkaClientTarget } from "../topology/connections";
import { requireDeployed } from "../checks/health";
import { ServiceUnreachableError, UsageError } from "../errors";
import { formatTable } from "../checks/table";
import { defineCommand, type CommandContext } from "./support/define-command";

const USAGE = "usage: npm run topics [-- describe <topic>]";

const ARGUMENTS = { allowPositionals: true, options: {} };

async function main({ args, config, env, runtime }: CommandContext<typeof ARGUMENTS>): Promise<number> {
  const [command = "list", name] = args.positionals;
  const target = kafkaClientTarget(config, env);
  if (config.target === "local") await requireDeployed(runtime);
  let admin;
  try {
    admin = await connectAdmin(target);
  } catch (error) {
    if (error instanceof ServiceUnreachableError)
      throw new ServiceUnreachableError(`${error.message} Is it healthy? npm run health`);
    throw error;
  }
  try {
    const names = (await admin.listTopics()).filter((n) => !n.startsWith("__")).sort();
    const declared = new Set(topicDefinitions(config).map((t) => t.name));
    if (command === "list") {
      const live = (await admin.describeTopics(names)).sort((a, b) => a.name.localeCompare(b.name));
      console.log(
        formatTable(
          ["TOPIC", "PARTITIONS", "REPLICATION", "DECLARED"],
          live.map((t) => [
            t.name,
            String(t.partitions.length),
            String(Math.min(...t.partitions.map((p) => p.replicas.length))),
            declared.has(t.name) ? "yes" : "no",
          ]),
        ),
      );
      return 0;
    }
    if (!names.includes(name)) {
      console.error(`topics: no topic named ${name}; existing: ${names.join(", ") || "(none)"}`);
      return 1;
    }
    const [topic] = await admin.describeTopics([name]);
    console.log(`Topic ${topic.name}: ${topic.partitions.length} partitions`);
    console.log(
      formatTable(
        ["PARTITION", "LEADER", "REPLICAS", "ISR"],
        topic.partitions.map((p) => [String(p.partition), String(p.leader), p.replicas.join(","), p.isr.join(",")]),
      ),
    );
    const overrides = Object.entries(topic.overrides).sort(([a], [b]) => a.localeCompare(b));
    console.log(
      overrides.length === 0 ? "\nConfigs: all broker defaults" : `\n${formatTable(["CONFIG", "VALUE"], overrides)}`,
    );
    return 0;
  } finally {
    await admin.disconnect();
  }
}

await defineCommand({
  name: "topics",
  usage: USAGE,
  arguments: ARGUMENTS,
  checkArguments: ({ positionals: [command = "list", name, ...rest] }) => {
    if (
      !["list", "describe"].includes(command) ||
      (command === "describe" && !name) ||
      rest.length > 0 ||
      (command === "list" && name)
    )
      throw new UsageError(USAGE);
  },
  run: main,
});
