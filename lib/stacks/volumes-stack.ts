import type { Construct } from "constructs";
import { Volume } from "@cdktf/provider-docker/lib/volume/index.js";
import { DockerStack } from "./docker-stack";
import { PROJECT_LABEL, STACK_NAMES, VOLUME_NAMES } from "../names";

/**
 * The named volumes that hold all data. A stack of their own, so that `stop`
 * (which destroys the containers) keeps them and only `reset` deletes them.
 */
export class VolumesStack extends DockerStack {
  constructor(scope: Construct) {
    super(scope, STACK_NAMES.volumes);
    // Construct ids are a contract: renaming one would delete that volume's data.
    for (const [id, name] of Object.entries(VOLUME_NAMES)) {
      new Volume(this, id, { name, labels: [PROJECT_LABEL] });
    }
  }
}
