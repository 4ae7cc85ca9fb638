import { ALL_CONTAINER_NAMES, ALL_VOLUME_NAMES, NETWORK_NAME } from "../../names";
import { PROJECT_LABEL } from "../../names";
import { docker, lines } from "./docker-cli";

/** Docker objects of the project that exist now: by label, and by name for any made without it. */
export interface ProjectObjects {
  readonly containers: string[];
  readonly networks: string[];
  readonly volumes: string[];
}

const LABEL_FILTER = `label=${PROJECT_LABEL.label}=${PROJECT_LABEL.value}`;

export function findProjectObjects(): ProjectObjects {
  const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();
  type Kind = "container" | "network" | "volume";
  // `docker container ls` prints .Names, the others .Name; containers need -a to include stopped ones.
  const list = (kind: Kind, filter: string[]) =>
    lines(
      docker([
        kind,
        "ls",
        ...(kind === "container" ? ["-a"] : []),
        ...filter,
        "--format",
        kind === "container" ? "{{.Names}}" : "{{.Name}}",
      ]),
    );
  const byName = (kind: Kind, names: readonly string[]) => list(kind, []).filter((n) => names.includes(n));
  const byLabel = (kind: Kind) => list(kind, ["--filter", LABEL_FILTER]);
  return {
    containers: union(byName("container", ALL_CONTAINER_NAMES), byLabel("container")),
    networks: union(byName("network", [NETWORK_NAME]), byLabel("network")),
    volumes: union(byName("volume", ALL_VOLUME_NAMES), byLabel("volume")),
  };
}

/** A host port one of the project's containers is configured to publish, with the container and its state. */
export interface ProjectPort {
  readonly container: string;
  /** Docker's state: running, restarting, created, … */
  readonly state: string;
}

/**
 * The host ports the project's own containers hold, from their configured
 * bindings rather than from what they publish this moment: a container that
 * is restarting (right after an engine restart, say) publishes nothing for a
 * while, yet its port is the stack's. An exited or dead container holds none.
 */
export function projectPorts(): Map<number, ProjectPort> {
  const ids = lines(docker(["ps", "-a", "-q", "--filter", LABEL_FILTER]));
  const ports = new Map<number, ProjectPort>();
  if (ids.length === 0) return ports;
  const inspected = lines(
    docker(["inspect", "--format", "{{.Name}} {{.State.Status}} {{json .HostConfig.PortBindings}}", ...ids], {
      allowFailure: true,
    }),
  );
  for (const line of inspected) {
    const [name, state, ...rest] = line.split(" ");
    if (state === "exited" || state === "dead") continue;
    for (const port of hostPortsOfBindings(rest.join(" ")))
      ports.set(port, { container: name.replace(/^\//, ""), state });
  }
  return ports;
}

/** Host ports in a container's HostConfig.PortBindings ({"9092/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9092"}]}). */
export function hostPortsOfBindings(json: string): number[] {
  const bindings = (JSON.parse(json || "null") ?? {}) as Record<string, { HostPort?: string }[] | null>;
  return Object.values(bindings).flatMap((list) =>
    (list ?? []).map((b) => Number(b.HostPort)).filter((p) => Number.isInteger(p) && p > 0),
  );
}
