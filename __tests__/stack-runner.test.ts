import { describe, expect, it } from "vitest";
import { leftoverContainers } from "../lib/ops/stack-runner";

describe("leftoverContainers", () => {
  it("names the containers Docker refused to create because the name is taken, once each", () => {
    const line =
      'Error: Unable to create container: Error response from daemon: Conflict. The container name "/chatbattle-kafka" is already in use by container "d10bd18b". You have to remove (or rename) that container to be able to reuse that name.';
    expect(leftoverContainers(["kafka_topic: Creating...", line, line])).toEqual(["chatbattle-kafka"]);
    expect(leftoverContainers(["Error: some other failure"])).toEqual([]);
  });
});
