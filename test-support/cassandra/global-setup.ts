import type { TestProject } from "vitest/node";
import { startCassandra, type RunningCassandra } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    cassandra: { host: string; port: number; datacenter: string };
  }
}

let server: RunningCassandra | undefined;

/**
 * Starts the Cassandra the integration tests run against, or uses the one
 * named by CHATBATTLE_TEST_CASSANDRA (host:port, datacenter dc1).
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.CHATBATTLE_TEST_CASSANDRA;
  if (external) {
    const [host, port] = external.split(":");
    project.provide("cassandra", { host, port: Number(port), datacenter: "dc1" });
    console.log(`integration: using Cassandra at ${external}`);
    return;
  }
  server = await startCassandra();
  console.log(
    `integration: Cassandra ${server.releaseVersion} started on 127.0.0.1:${server.port} in ${server.startupSeconds.toFixed(1)} s`,
  );
  project.provide("cassandra", { host: server.host, port: server.port, datacenter: server.datacenter });
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
