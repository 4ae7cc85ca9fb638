/**
 * Runs the containers, network and volumes exactly as the synthesized stacks
 * declare them, with the docker CLI. This checks the app's container
 * configuration (environment, ports, healthchecks, volumes, memory) against
 * real servers; it does not stand in for the Docker provider's own logic.
 */
import { spawnSync } from "node:child_process";
import { docker } from "../../lib/ops/docker-cli";

// Synthesized Terraform JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export { docker };

/** `docker run` arguments for one synthesized docker_container. */
export function dockerRunArgs(container: Json, imageName: string): string[] {
  const args = ["run", "--detach", "--name", container.name, "--hostname", container.hostname];
  for (const network of container.networks_advanced ?? []) {
    args.push("--network", network.name);
    for (const alias of network.aliases ?? []) args.push("--network-alias", alias);
  }
  for (const entry of container.env ?? []) args.push("--env", entry);
  for (const port of container.ports ?? []) args.push("--publish", `${port.ip}:${port.external}:${port.internal}/${port.protocol}`);
  for (const volume of container.volumes ?? []) args.push("--volume", `${volume.volume_name}:${volume.container_path}`);
  for (const label of container.labels ?? []) args.push("--label", `${label.label}=${label.value}`);
  const h = container.healthcheck;
  args.push(
    "--health-cmd", h.test[1],
    "--health-interval", h.interval,
    "--health-timeout", h.timeout,
    "--health-retries", String(h.retries),
    "--health-start-period", h.start_period,
  );
  args.push("--memory", `${container.memory}m`, "--memory-swap", `${container.memory_swap}m`, "--restart", container.restart, "--stop-timeout", String(container.destroy_grace_seconds));
  args.push("--log-driver", container.log_driver);
  for (const [key, value] of Object.entries(container.log_opts ?? {})) args.push("--log-opt", `${key}=${value}`);
  args.push(imageName);
  return args;
}

/** Image name behind a container's `${docker_image.<id>.image_id}` reference. */
export function imageOf(stack: Json, container: Json): string {
  const id = /^\$\{docker_image\.([^.]+)\.image_id\}$/.exec(container.image)?.[1];
  if (!id) throw new Error(`unexpected image reference ${container.image}`);
  return stack.resource.docker_image[id].name;
}

export function healthOf(name: string): string {
  return docker(["inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", name], {
    allowFailure: true,
  });
}

/** Waits, like the provider's `wait`, until the container is healthy or the timeout passes. */
export async function waitHealthy(name: string, timeoutSeconds: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = healthOf(name);
    if (status === "healthy") return (Date.now() - started) / 1000;
    if (status === "exited" || Date.now() - started > timeoutSeconds * 1000) {
      const logs = spawnSync("docker", ["logs", "--tail", "40", name], { encoding: "utf8" });
      throw new Error(`${name} is ${status || "missing"} after ${timeoutSeconds} s:\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
