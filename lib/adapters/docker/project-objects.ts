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
    lines(docker([kind, "ls", ...(kind === "container" ? ["-a"] : []), ...filter, "--format", kind === "container" ? "{{.Names}}" : "{{.Name}}"]));
  const byName = (kind: Kind, names: readonly string[]) => list(kind, []).filter((n) => names.includes(n));
  const byLabel = (kind: Kind) => list(kind, ["--filter", LABEL_FILTER]);
  return {
    containers: union(byName("container", ALL_CONTAINER_NAMES), byLabel("container")),
    networks: union(byName("network", [NETWORK_NAME]), byLabel("network")),
    volumes: union(byName("volume", ALL_VOLUME_NAMES), byLabel("volume")),
  };
}
