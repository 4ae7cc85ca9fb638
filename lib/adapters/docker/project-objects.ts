import { ALL_CONTAINER_NAMES, ALL_VOLUME_NAMES, NETWORK_NAME, PROJECT_LABEL } from "../../names";
import type { HeldPort, ProjectObjects } from "../../runtime/service-runtime";
import { dockerAsync, lines } from "./docker-cli";

const LABEL_FILTER = `label=${PROJECT_LABEL.label}=${PROJECT_LABEL.value}`;

/** Docker objects of the project that exist now: by label, and by name for any made without it. */
export async function findProjectObjects(): Promise<ProjectObjects> {
  const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();
  type Kind = "container" | "network" | "volume";
  // `docker container ls` prints .Names, the others .Name; containers need -a to include stopped ones.
  const list = async (kind: Kind, filter: string[]) =>
    lines(
      await dockerAsync([
        kind,
        "ls",
        ...(kind === "container" ? ["-a"] : []),
        ...filter,
        "--format",
        kind === "container" ? "{{.Names}}" : "{{.Name}}",
      ]),
    );
  const of = async (kind: Kind, names: readonly string[]) => {
    const [all, labelled] = await Promise.all([list(kind, []), list(kind, ["--filter", LABEL_FILTER])]);
    return union(
      all.filter((n) => names.includes(n)),
      labelled,
    );
  };
  const [containers, networks, volumes] = await Promise.all([
    of("container", ALL_CONTAINER_NAMES),
    of("network", [NETWORK_NAME]),
    of("volume", ALL_VOLUME_NAMES),
  ]);
  return { containers, networks, volumes };
}

/**
 * The host ports the project's own containers hold, from their configured
 * bindings rather than from what they publish this moment: a container that
 * is restarting (right after an engine restart, say) publishes nothing for a
 * while, yet its port is the stack's. An exited or dead container holds none.
 */
export async function projectPorts(): Promise<Map<number, HeldPort>> {
  const ids = lines(await dockerAsync(["ps", "-a", "-q", "--filter", LABEL_FILTER]));
  const ports = new Map<number, HeldPort>();
  if (ids.length === 0) return ports;
  const inspected = lines(
    await dockerAsync(
      ["inspect", "--format", "{{.Name}} {{.State.Status}} {{json .HostConfig.PortBindings}}", ...ids],
      { allowFailure: true },
    ),
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
