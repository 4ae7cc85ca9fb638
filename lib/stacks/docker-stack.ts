import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider/index.js";
import { useProjectState } from "./project-state";

/**
 * A stack of Docker objects on the local engine (DOCKER_HOST, else the
 * default socket), with its state kept in the project's state folder.
 */
export class DockerStack extends TerraformStack {
  constructor(scope: Construct, stackName: string) {
    super(scope, stackName);
    useProjectState(this, stackName);
    new DockerProvider(this, "docker", {});
  }
}
