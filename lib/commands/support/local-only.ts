import { UsageError } from "../../errors";

/**
 * Refuses a command that works on the local Docker stack (stop, reset, logs)
 * when CHATBATTLE_TARGET=cluster, where there is no container to act on and
 * the clusters belong to someone else. Reads only that one setting, so that
 * reset still works with other settings broken.
 */
export function refuseOnCluster(command: string, env: Readonly<Record<string, string | undefined>>): void {
  if (env.CHATBATTLE_TARGET?.trim() !== "cluster") return;
  throw new UsageError(
    `${command} acts on the local Docker stack, and CHATBATTLE_TARGET=cluster deploys none. ` +
      "On a cluster, npm run deploy, preflight, health, topics and schema:verify apply; the app never removes the topics or the schema there.",
  );
}
