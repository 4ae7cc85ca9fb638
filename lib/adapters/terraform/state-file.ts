/**
 * What a local state file records, read straight from the file: without
 * synthesizing or starting Terraform, so a command can act on it at once.
 * A file that does not exist or is damaged records nothing here (the stack
 * runner then stops the run and says how to recover).
 */
import { readFileSync } from "node:fs";

type Instance = {
  status?: string;
  attributes: { id?: string; name: string; destroy_grace_seconds?: number | null };
  dependencies?: string[];
};
type Resource = { mode: string; type: string; name: string; instances: Instance[] };

/** The managed resources of a state file, all or of `type`. */
function managedResources(statePath: string, type?: string): Resource[] {
  try {
    const state = JSON.parse(readFileSync(statePath, "utf8")) as { resources?: Resource[] };
    return (state.resources ?? []).filter((r) => r.mode === "managed" && (type === undefined || r.type === type));
  } catch {
    return [];
  }
}

/** One managed resource instance a state records: its type and attributes as Terraform wrote them. */
export interface RecordedInstance {
  readonly type: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Every managed resource instance a state file records. */
export function recordedInstances(statePath: string): RecordedInstance[] {
  return managedResources(statePath).flatMap((r) =>
    r.instances.map((i) => ({ type: r.type, attributes: i.attributes as Record<string, unknown> })),
  );
}

/** The ids the state records for the resources of `type` (e.g. a docker_network's id), by Docker name. */
export function recordedIds(statePath: string, type: string): Map<string, string> {
  return new Map(
    managedResources(statePath, type).flatMap((r) =>
      r.instances.map((i) => [i.attributes.name, i.attributes.id ?? ""] as [string, string]),
    ),
  );
}

/** A container a state file records: its name, grace period and the containers it depends on. */
export interface RecordedContainer {
  readonly name: string;
  readonly graceSeconds: number;
  readonly needs: readonly string[];
}

/**
 * The containers a state file records, as a stop takes them: the exact set
 * its destroy will remove, with each one's grace period
 * (destroy_grace_seconds) and the containers it depends on, by name.
 */
export function containersInStateFile(statePath: string): RecordedContainer[] {
  const resources = managedResources(statePath, "docker_container");
  const nameOf = new Map(resources.map((r) => [`${r.type}.${r.name}`, r.instances[0]?.attributes.name]));
  return resources.flatMap((r) =>
    r.instances.map((instance) => ({
      name: instance.attributes.name,
      graceSeconds: instance.attributes.destroy_grace_seconds || 10,
      needs: (instance.dependencies ?? [])
        .map((address) => nameOf.get(address))
        .filter((n): n is string => n !== undefined),
    })),
  );
}

/** A resource whose creation was cut short (Terraform marks it tainted and would replace it). */
export interface TaintedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly id: string;
}

/** The tainted resources of `types` a state file records. */
export function taintedResources(statePath: string, types: readonly string[]): TaintedResource[] {
  return types.flatMap((type) =>
    managedResources(statePath, type).flatMap((r) =>
      r.instances
        .filter((i) => i.status === "tainted")
        .map((i) => ({
          address: `${r.type}.${r.name}`,
          type: r.type,
          name: i.attributes.name,
          id: i.attributes.id ?? "",
        })),
    ),
  );
}
