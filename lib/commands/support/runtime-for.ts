/**
 * Where the services run, chosen once per command from the target: Docker
 * for the local stack, nothing of ours on a cluster. The one place that
 * knows both.
 */
import type { Target } from "../../config/target";
import { DockerRuntime } from "../../adapters/docker/docker-runtime";
import { ClusterRuntime } from "../../runtime/cluster-runtime";
import type { ServiceRuntime } from "../../runtime/service-runtime";

export function runtimeFor(target: Target): ServiceRuntime {
  return target === "cluster" ? new ClusterRuntime() : new DockerRuntime();
}
