import type { Construct } from "constructs";
import { Volume } from "@cdktf/provider-docker/lib/volume/index.js";
import { DockerStack } from "./docker-stack";
import { PROJECT_LABEL, projectVolumes, STACK_NAMES } from "../names";
import type { ChatBattleConfig } from "../config/config";

/**
 * The named volumes that hold all data. A stack of their own, so that `stop`
 * (which destroys the containers) keeps them and only `reset` deletes them.
 * Which volumes depends on the Kafka mode and broker count; pre-flight
 * refuses a deploy whose settings would drop a volume that holds data.
 */
export class VolumesStack extends DockerStack {
  constructor(scope: Construct, kafka: ChatBattleConfig["kafka"]) {
    super(scope, STACK_NAMES.volumes);
    // Construct ids are a contract: renaming one would delete that volume's data.
    for (const { id, name } of projectVolumes(kafka)) {
      new Volume(this, id, { name, labels: [PROJECT_LABEL] });
    }
  }
}
