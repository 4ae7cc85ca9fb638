/** What the deploy tells the stack runner exists outside the state, against a runtime in memory. */
import { describe, expect, it } from "vitest";
import { adoption } from "../../../../lib/commands/support/deploy/adoption";
import { NETWORK_NAME, STACK_NAMES } from "../../../../lib/names";
import { FakeRuntime } from "../../../../test-support/fake-runtime";

const access = (recordedNetwork?: string, topics: string[] = []) => ({
  topics: async () => topics,
  recordedNetwork: () => recordedNetwork,
});

describe("the deploy's adoption", () => {
  it("adopts any network and any volume of the name, but only the project's own containers", async () => {
    const runtime = new FakeRuntime();
    runtime.networks.set(NETWORK_NAME, { id: "net-by-hand", own: false });
    runtime.volumes.set("chatbattle-kafka-data", { createdAt: "2026-12-01T00:00:00Z", bytes: 1 });
    runtime.container("chatbattle-kafka", { own: false });
    runtime.container("chatbattle-cassandra");
    const adopt = await adoption(runtime, access(undefined, ["channel-stats"]));
    expect(await adopt.existing("docker_network", NETWORK_NAME)).toBe("net-by-hand");
    expect(await adopt.existing("docker_volume", "chatbattle-kafka-data")).toBe("chatbattle-kafka-data");
    expect(await adopt.existing("docker_volume", "chatbattle-cassandra-data")).toBeUndefined();
    expect(await adopt.existing("docker_container", "chatbattle-kafka")).toBeUndefined();
    expect(await adopt.existing("docker_container", "chatbattle-cassandra")).toBe("id-chatbattle-cassandra");
    expect(await adopt.existing("kafka_topic", "channel-stats")).toBe("channel-stats");
    expect(await adopt.existing("kafka_topic", "twitch-chat-messages")).toBeUndefined();
  });

  it("takes a cut-short network or volume creation as finished only when what exists has the recorded id", async () => {
    const runtime = new FakeRuntime();
    runtime.networks.set(NETWORK_NAME, { id: "net-1", own: true });
    const adopt = await adoption(runtime, access());
    expect(await adopt.createdAsRecorded("docker_network", NETWORK_NAME, "net-1")).toBe(true);
    expect(await adopt.createdAsRecorded("docker_network", NETWORK_NAME, "net-0")).toBe(false);
    expect(await adopt.createdAsRecorded("docker_container", "chatbattle-kafka", "id-chatbattle-kafka")).toBe(false);
  });

  it("lets the stacks use the network early when this deploy made it, or its state records the one there", async () => {
    const fresh = new FakeRuntime();
    const adoptFresh = await adoption(fresh, access());
    expect(await adoptFresh.usableEarly(STACK_NAMES.network)).toBe(false);
    fresh.networks.set(NETWORK_NAME, { id: "net-new", own: true });
    expect(await adoptFresh.usableEarly(STACK_NAMES.network)).toBe(true);
    expect(await adoptFresh.usableEarly(STACK_NAMES.volumes)).toBe(false);

    const recorded = new FakeRuntime();
    recorded.networks.set(NETWORK_NAME, { id: "net-1", own: true });
    expect(await (await adoption(recorded, access("net-1"))).usableEarly(STACK_NAMES.network)).toBe(true);
    // There before the deploy but unknown to the state: the apply adopts or replaces it first.
    expect(await (await adoption(recorded, access(undefined))).usableEarly(STACK_NAMES.network)).toBe(false);
    expect(await (await adoption(recorded, access("net-0"))).usableEarly(STACK_NAMES.network)).toBe(false);
  });

  it("plans the network stack without a refresh only while the network there is the recorded one", async () => {
    const runtime = new FakeRuntime();
    runtime.networks.set(NETWORK_NAME, { id: "net-1", own: true });
    expect(await (await adoption(runtime, access("net-1"))).recordedAsLive(STACK_NAMES.network)).toBe(true);
    // Recreated, never recorded, gone, or another stack: refreshed.
    expect(await (await adoption(runtime, access("net-0"))).recordedAsLive(STACK_NAMES.network)).toBe(false);
    expect(await (await adoption(runtime, access(undefined))).recordedAsLive(STACK_NAMES.network)).toBe(false);
    expect(await (await adoption(runtime, access("net-1"))).recordedAsLive(STACK_NAMES.volumes)).toBe(false);
    runtime.networks.delete(NETWORK_NAME);
    expect(await (await adoption(runtime, access("net-1"))).recordedAsLive(STACK_NAMES.network)).toBe(false);
  });
});
