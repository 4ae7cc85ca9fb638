import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider/index.js";
import { useProjectState } from "./project-state";

/**
 * The kreuzwerker/docker releases the app runs on. The bindings
 * (@cdktf/provider-docker 12) were generated from 3.6.2 and would pin it;
 * 4.x restarts a stopped container on apply and no longer replaces one whose
 * ports it cannot read while stopped, which stop/start and healing rely on.
 * 4.0 removed only docker_network.check_duplicate, which the app does not set.
 */
export const DOCKER_PROVIDER_VERSION = "~> 4.6";

/**
 * A stack of Docker objects on the local engine (DOCKER_HOST, else the
 * default socket), with its state kept in the project's state folder.
 */
export class DockerStack extends TerraformStack {
  constructor(scope: Construct, stackName: string) {
    super(scope, stackName);
    useProjectState(this, stackName);
    new DockerProvider(this, "docker", {});
    this.addOverride("terraform.required_providers.docker.version", DOCKER_PROVIDER_VERSION);
  }
}
