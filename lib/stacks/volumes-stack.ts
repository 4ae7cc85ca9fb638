import type { Construct } from "constructs";
import { Volume } from "@cdktf/provider-docker/lib/volume/index.js";
import { DockerStack } from "./docker-stack";
import { PROJECT_LABEL, STACK_NAMES } from "../names";
import type { LocalTopology } from "../topology/local-topology";

/**
 * The named volumes that hold all data. A stack of their own, so that `stop`
 * (which destroys the containers) keeps them and only `reset` deletes them.
 * Which volumes depends on the Kafka mode and broker count; pre-flight
 * refuses a deploy whose settings would drop a volume that holds data.
 *
 * Their labels, driver and driver options are kept as they are found: the
 * provider would replace a volume whose metadata differs (all three force a
 * new one), and a volume adopted after the state was lost, such as one a
 * user restored by hand without the project's label, holds the data.
 */
const KEEP_AS_FOUND = ["labels", "driver", "driver_opts"];
export interface VolumesStackProps {
  /** What the local stack runs: its volumes (which depend on the Kafka mode and broker count) are read from it. */
  readonly topology: LocalTopology;
  /**
   * Whether Terraform itself refuses any plan that deletes or replaces a
   * volume (lifecycle.prevent_destroy): for plain `npx cdktf deploy`, which
   * runs with no review of the app's.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

export class VolumesStack extends DockerStack {
  constructor(scope: Construct, props: VolumesStackProps) {
    super(scope, STACK_NAMES.volumes);
    // Construct ids are a contract: renaming one would delete that volume's data.
    for (const { id, name } of props.topology.volumes) {
      new Volume(this, id, {
        name,
        labels: [PROJECT_LABEL],
        lifecycle: { ignoreChanges: KEEP_AS_FOUND, preventDestroy: props.preventDestroy ?? true },
      });
    }
  }
}
