/** Waiting for containers through the runtime port, against a runtime in memory. */
import { describe, expect, it } from "vitest";
import { BreakageWatch, containersReady, MAX_RESTARTS } from "../../lib/runtime/readiness";
import { FakeRuntime } from "../../test-support/fake-runtime";

const options = (said: string[] = [], deadlineSeconds = 30) => ({
  subject: "topics",
  deadlineSeconds,
  say: (line: string) => void said.push(line),
  watch: new BreakageWatch(),
  pollMs: 1,
});

describe("containersReady", () => {
  it("answers at once without waiting, and waits until every container is healthy when asked", async () => {
    const runtime = new FakeRuntime().container("a", { health: "starting" }).container("b");
    expect(await containersReady(runtime, ["a", "b"], "healthy", false, options())).toBe(false);
    runtime.onStatus = (n) => n === 3 && runtime.container("a");
    const said: string[] = [];
    expect(await containersReady(runtime, ["a", "b"], "healthy", true, options(said))).toBe(true);
    expect(said[0]).toBe("waiting for a (starting) to be healthy");
    expect(said.at(-1)).toMatch(/^ready after \d+\.\d s$/);
  });

  it("takes running as enough when asked only for running", async () => {
    const runtime = new FakeRuntime().container("cassandra", { health: "starting" });
    expect(await containersReady(runtime, ["cassandra"], "running", false, options())).toBe(true);
  });

  it("leaves a missing container to Terraform (its stack failed, and Terraform says why)", async () => {
    expect(await containersReady(new FakeRuntime(), ["gone"], "healthy", true, options())).toBe(true);
  });

  it.each([
    [{ health: "unhealthy" }, "chatbattle-kafka is unhealthy, so topics was not applied"],
    [{ state: "dead", health: "none" }, "chatbattle-kafka is dead, so topics was not applied"],
  ])("gives up on a container that broke (%o), naming it and the way on", async (status, message) => {
    const runtime = new FakeRuntime().container("chatbattle-kafka", status);
    await expect(containersReady(runtime, ["chatbattle-kafka"], "healthy", true, options())).rejects.toThrow(
      `${message}; see \`npm run logs\` and \`npm run health\``,
    );
  });

  it(`counts restarts from the first look: ${MAX_RESTARTS} more mean a crash loop, fewer an engine restart`, async () => {
    const runtime = new FakeRuntime().container("k", { state: "restarting", health: "none", restarts: 40 });
    let restarts = 40;
    runtime.onStatus = () => runtime.container("k", { state: "restarting", health: "none", restarts: restarts++ });
    await expect(containersReady(runtime, ["k"], "healthy", true, options())).rejects.toThrow(
      `k is restarting again and again (${MAX_RESTARTS} times)`,
    );
    expect(restarts - 40).toBe(MAX_RESTARTS + 1);
  });

  it("stops at its deadline, naming TERRAFORM_TIMEOUT", async () => {
    const runtime = new FakeRuntime().container("c", { health: "starting" });
    await expect(containersReady(runtime, ["c"], "healthy", true, options([], 0))).rejects.toThrow(
      "c did not become healthy within 0 s (TERRAFORM_TIMEOUT); topics was not applied.",
    );
  });
});
