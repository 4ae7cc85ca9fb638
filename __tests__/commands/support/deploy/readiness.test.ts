/** Which stack waits for which service, and how, against a runtime in memory. */
import { describe, expect, it } from "vitest";
import { stackReadiness } from "../../../../lib/commands/support/deploy/readiness";
import { parseConfig } from "../../../../lib/config/config";
import { localTopology } from "../../../../lib/topology/local-topology";
import { FakeRuntime } from "../../../../test-support/fake-runtime";

const config = parseConfig({ KAFKA_MODE: "kraft", KAFKA_BROKERS: "3" });
const containers = localTopology(config).services;
const brokers = containers.filter((s) => s.name === "kafka").map((s) => s.container);
const cassandra = containers.find((s) => s.name === "cassandra")!.container;

function readiness(runtime: FakeRuntime, said: string[] = []) {
  return stackReadiness(config, runtime, {
    deadlineSeconds: 30,
    say: (stack, line) => void said.push(`${stack}: ${line}`),
  });
}

describe("the deploy's readiness", () => {
  it("has the topics wait for every broker healthy, the schema for Cassandra running, and nothing else wait", async () => {
    const runtime = new FakeRuntime();
    for (const broker of brokers) runtime.container(broker, { health: "starting" });
    runtime.container(cassandra, { health: "starting" });
    const ready = readiness(runtime);
    expect(await ready.ready("topics", false)).toBe(false);
    expect(await ready.ready("schema", false)).toBe(true);
    expect(await ready.ready("network", false)).toBe(true);
    expect(runtime.calls).toEqual([`containerStatus ${brokers.join(",")}`, `containerStatus ${cassandra}`]);
  });

  it("reports a service that broke while its stack is applied, and nothing while all is well", async () => {
    const runtime = new FakeRuntime();
    for (const broker of brokers) runtime.container(broker);
    runtime.container(cassandra);
    const ready = readiness(runtime);
    expect(await ready.trouble("topics")).toBeUndefined();
    runtime.container(brokers[2], { health: "unhealthy" });
    expect(await ready.trouble("topics")).toBe(
      `${brokers[2]} is unhealthy; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again`,
    );
    expect(await ready.trouble("schema")).toBeUndefined();
  });

  it("waits at the end for every container healthy, saying what it waits for", async () => {
    const runtime = new FakeRuntime();
    for (const broker of brokers) runtime.container(broker);
    runtime.container(cassandra, { health: "starting" });
    runtime.onStatus = (n) => n === 2 && runtime.container(cassandra);
    const said: string[] = [];
    await readiness(runtime, said).healthy();
    expect(said[0]).toBe(`deploy: waiting for ${cassandra} (starting) to be healthy`);
  });

  it("waits for nothing on a cluster, which runs no container of ours", async () => {
    const cluster = parseConfig({
      CHATBATTLE_TARGET: "cluster",
      KAFKA_BOOTSTRAP_SERVERS: "k1:9092",
      CASSANDRA_CONTACT_POINTS: "c1",
      CASSANDRA_LOCAL_DATACENTER: "dc1",
    });
    const runtime = new FakeRuntime();
    const ready = stackReadiness(cluster, runtime, { deadlineSeconds: 1, say: () => undefined });
    expect(await ready.ready("topics", true)).toBe(true);
    await ready.healthy();
    expect(runtime.calls).toEqual([]);
  });
});
