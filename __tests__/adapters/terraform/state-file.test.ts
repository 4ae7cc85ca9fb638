import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { containersInStateFile } from "../../../lib/adapters/terraform/state-file";

const dir = mkdtempSync(join(tmpdir(), "chatbattle-state-containers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The part of a kafka stack's state a stop reads, in the shape Terraform 1.x writes it. */
const KAFKA_STATE = {
  version: 4,
  resources: [
    {
      mode: "managed",
      type: "docker_image",
      name: "kafka_service_image_29B2D444",
      instances: [{ attributes: { name: "chatbattle-standin/kafka:x" } }],
    },
    {
      mode: "managed",
      type: "docker_container",
      name: "zookeeper_service_container_DC689AFD",
      instances: [
        {
          attributes: { name: "chatbattle-zookeeper", destroy_grace_seconds: 30 },
          dependencies: ["docker_image.zookeeper_service_image_8E51AF9C"],
        },
      ],
    },
    {
      mode: "managed",
      type: "docker_container",
      name: "kafka_service_container_F021E410",
      instances: [
        {
          attributes: { name: "chatbattle-kafka", destroy_grace_seconds: 60 },
          dependencies: [
            "docker_container.zookeeper_service_container_DC689AFD",
            "docker_image.kafka_service_image_29B2D444",
          ],
        },
      ],
    },
  ],
};

describe("the containers a stop reads from a state file", () => {
  it("lists each container with its grace period and the containers it depends on, by name", () => {
    const path = join(dir, "kafka.tfstate");
    writeFileSync(path, JSON.stringify(KAFKA_STATE));
    expect(containersInStateFile(path)).toEqual([
      { name: "chatbattle-zookeeper", graceSeconds: 30, needs: [] },
      { name: "chatbattle-kafka", graceSeconds: 60, needs: ["chatbattle-zookeeper"] },
    ]);
  });

  it("finds none in a state that does not exist, is damaged or holds no container", () => {
    expect(containersInStateFile(join(dir, "absent.tfstate"))).toEqual([]);
    writeFileSync(join(dir, "damaged.tfstate"), '{"version": 4, "resour');
    expect(containersInStateFile(join(dir, "damaged.tfstate"))).toEqual([]);
    const path = join(dir, "empty.tfstate");
    writeFileSync(path, JSON.stringify({ version: 4, resources: [] }));
    expect(containersInStateFile(path)).toEqual([]);
  });

  it("gives Docker's default 10 s to a container recorded without a grace period", () => {
    const path = join(dir, "plain.tfstate");
    writeFileSync(
      path,
      JSON.stringify({
        resources: [
          {
            mode: "managed",
            type: "docker_container",
            name: "c",
            instances: [{ attributes: { name: "x", destroy_grace_seconds: 0 } }],
          },
        ],
      }),
    );
    expect(containersInStateFile(path)).toEqual([{ name: "x", graceSeconds: 10, needs: [] }]);
  });
});
