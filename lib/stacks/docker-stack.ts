import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider/index.js";

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
 * default socket). The app says where its state lives.
 */
export class DockerStack extends TerraformStack {
  constructor(scope: Construct, stackName: string) {
    super(scope, stackName);
    new DockerProvider(this, "docker", {});
    this.addOverride("terraform.required_providers.docker.version", DOCKER_PROVIDER_VERSION);
  }
}
