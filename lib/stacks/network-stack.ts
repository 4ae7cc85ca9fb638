import type { Construct } from "constructs";
import { Network } from "@cdktf/provider-docker/lib/network/index.js";
import { DockerStack } from "./docker-stack";
import { NETWORK_NAME, PROJECT_LABEL, STACK_NAMES } from "../names";

/** The bridge network on which the services reach each other by name. */
export class NetworkStack extends DockerStack {
  constructor(scope: Construct) {
    super(scope, STACK_NAMES.network);
    new Network(this, "network", { name: NETWORK_NAME, driver: "bridge", labels: [PROJECT_LABEL] });
  }
}
