import { readFileSync } from "node:fs";

/** A container a state file records: its name, grace period and the containers it depends on. */
export interface RecordedContainer {
  readonly name: string;
  readonly graceSeconds: number;
  readonly needs: readonly string[];
}

/**
 * The containers a local state file records, as a stop takes them: the
 * exact set its destroy will remove, with each one's grace period
 * (destroy_grace_seconds) and the containers it depends on, by name. Read
 * straight from the file, without synthesizing or starting Terraform, so a
 * stop can begin at once. None when the file does not exist or is damaged
 * (the stack runner then stops the run and says how to recover).
 */
export function containersInStateFile(statePath: string): RecordedContainer[] {
  type Instance = { attributes: { name: string; destroy_grace_seconds?: number | null }; dependencies?: string[] };
  type Resource = { mode: string; type: string; name: string; instances: Instance[] };
  let state: { resources?: Resource[] };
  try {
    state = JSON.parse(readFileSync(statePath, "utf8"));
  } catch {
    return [];
  }
  const resources = (state.resources ?? []).filter((r) => r.mode === "managed" && r.type === "docker_container");
  const nameOf = new Map(resources.map((r) => [`${r.type}.${r.name}`, r.instances[0]?.attributes.name]));
  return resources.flatMap((r) =>
    r.instances.map((instance) => ({
      name: instance.attributes.name,
      graceSeconds: instance.attributes.destroy_grace_seconds || 10,
      needs: (instance.dependencies ?? []).map((address) => nameOf.get(address)).filter((n): n is string => n !== undefined),
    })),
  );
}
