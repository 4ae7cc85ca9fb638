/** The drain before Cassandra's container is replaced by another image's, against a runtime in memory. */
import { describe, expect, it } from "vitest";
import { drainBeforeUpgrade } from "../../../../lib/commands/support/deploy/drain";
import { parseConfig } from "../../../../lib/config/config";
import { CONTAINER_NAMES, STACK_NAMES } from "../../../../lib/names";
import { ServiceNotReadyError } from "../../../../lib/runtime/readiness";
import { FakeRuntime } from "../../../../test-support/fake-runtime";

const config = parseConfig({});
const cassandra = CONTAINER_NAMES.cassandra;

function setUp(runningImage: string, wantedImage: string) {
  const runtime = new FakeRuntime();
  runtime.container(cassandra, { imageId: runningImage });
  runtime.images.set(config.images.cassandra, wantedImage);
  const said: string[] = [];
  return { runtime, said, drain: drainBeforeUpgrade(config, runtime, (_stack, line) => void said.push(line)) };
}

describe("the drain before an upgrade", () => {
  it("runs nodetool drain when the cassandra stack brings another image, and says how long it took", async () => {
    const { runtime, said, drain } = setUp("sha256:4.1", "sha256:5.0");
    await drain(STACK_NAMES.cassandra);
    expect(runtime.calls).toContain(`exec ${cassandra} nodetool drain`);
    expect(said[0]).toMatch(/^draining chatbattle-cassandra before its container is replaced by one of cassandra:/);
    expect(said[1]).toMatch(/^drained in \d+\.\d s: every memtable flushed/);
  });

  it("does nothing for the same image, for another stack, or with no container running", async () => {
    const same = setUp("sha256:4.1", "sha256:4.1");
    await same.drain(STACK_NAMES.cassandra);
    const other = setUp("sha256:4.1", "sha256:5.0");
    await other.drain(STACK_NAMES.kafka);
    const stopped = setUp("sha256:4.1", "sha256:5.0");
    stopped.runtime.container(cassandra, { imageId: "sha256:4.1", state: "exited" });
    await stopped.drain(STACK_NAMES.cassandra);
    for (const { runtime } of [same, other, stopped])
      expect(runtime.calls.filter((c) => c.startsWith("exec"))).toEqual([]);
  });

  it("stops the stack, naming the cause and the logs, when the drain fails", async () => {
    const { runtime, drain } = setUp("sha256:4.1", "sha256:5.0");
    runtime.execAnswers.set("nodetool", { status: 1, stdout: "", stderr: "nodetool: Failed to connect\n" });
    const failed = drain(STACK_NAMES.cassandra);
    await expect(failed).rejects.toBeInstanceOf(ServiceNotReadyError);
    await expect(failed).rejects.toThrow(
      "nodetool drain on chatbattle-cassandra failed (nodetool: Failed to connect), so its container was not replaced; see npm run logs -- cassandra, then deploy again.",
    );
  });
});
