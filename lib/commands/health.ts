/**
 * npm run health [-- --json] [-- --wait <seconds>]
 * One row per service: container state, Docker's health, and a real client's
 * view (ZooKeeper srvr; Kafka metadata, offline brokers, under-replicated
 * partitions and the declared topics; Cassandra CQL and the schema). On the
 * cluster target, the Kafka and Cassandra rows only, asked at their endpoints. Exit 0 when all are healthy, 1 otherwise, 2 on bad usage.
 */
import { checkClusterHealth, checkHealth, requireDeployed } from "../checks/health";
import { UsageError } from "../errors";
import { healthJson, renderClusterHealth, renderHealth } from "../checks/health-report";
import { defineCommand } from "./support/define-command";

await defineCommand({
  name: "health",
  usage: "usage: npm run health [-- --json] [-- --wait <seconds>]",
  arguments: { options: { json: { type: "boolean" }, wait: { type: "string" } } },
  checkArguments: ({ values }) => {
    if (values.wait !== undefined && !/^\d+$/.test(values.wait))
      throw new UsageError(`--wait takes a whole number of seconds, got ${JSON.stringify(values.wait)}`);
  },
  async run({ args, config, env, runtime }) {
    const waitSeconds = Number(args.values.wait ?? 0);
    // On a cluster there are no containers: ask the services themselves.
    const check =
      config.target === "cluster"
        ? async () => {
            const rows = await checkClusterHealth(config, env);
            return { rows, text: renderClusterHealth(rows) };
          }
        : async () => {
            await requireDeployed(runtime);
            const rows = await checkHealth(config, env, runtime);
            return { rows, text: renderHealth(rows) };
          };
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const { rows, text } = await check();
      const healthy = rows.every((r) => r.ready);
      if (healthy || Date.now() >= deadline) {
        console.log(args.values.json ? healthJson(rows) : text);
        if (!healthy && waitSeconds > 0) console.error(`health: not healthy after ${waitSeconds} s`);
        return healthy ? 0 : 1;
      }
      const waiting = rows.filter((r) => !r.ready).map((r) => `${r.service} (${r.detail})`);
      console.error(`health: waiting for ${waiting.join(", ")}; ${Math.ceil((deadline - Date.now()) / 1000)} s left`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(3000, Math.max(0, deadline - Date.now()))));
    }
  },
});
