/**
 * Adopting what exists: objects a stack declares that are missing from its
 * state (the state was deleted, a second checkout deploys, or a killed run
 * created them without recording them) but exist on Docker or the broker.
 * They are imported with Terraform's own `import` blocks rather than created
 * again, which would fail on the name, or removed, which would lose data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Resource types whose objects can be found by name and imported; the id each is imported by. */
export const ADOPTABLE_TYPES = ["docker_network", "docker_volume", "docker_container", "kafka_topic"] as const;
export type AdoptableType = (typeof ADOPTABLE_TYPES)[number];

/** A declared object, not in the state, that may exist. */
export interface AdoptionCandidate {
  readonly address: string;
  readonly type: AdoptableType;
  /** Its name on Docker or the broker. */
  readonly name: string;
}

/** Name of the file the import blocks are written to, beside the stack's cdk.tf.json; removed after the run. */
export const IMPORT_FILE = "chatbattle-adopt.tf.json";

/** The adoptable resources a synthesized stack declares, by address. */
export function declaredAdoptable(stackDir: string): AdoptionCandidate[] {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource?: Record<string, Record<string, { name?: unknown }>>;
  };
  return ADOPTABLE_TYPES.flatMap((type) =>
    Object.entries(json.resource?.[type] ?? {})
      .filter(([, body]) => typeof body.name === "string")
      .map(([id, body]) => ({ address: `${type}.${id}`, type, name: body.name as string })),
  );
}

/** Addresses of the managed resources a local state file holds (none when it does not exist). */
export function addressesInStateFile(statePath: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(statePath, "utf8");
  } catch {
    return new Set();
  }
  // Empty is no state, as Terraform reads it (a run killed between its lock and its first write).
  if (text.trim() === "") return new Set();
  const state = JSON.parse(text) as { resources?: { mode: string; type: string; name: string }[] };
  return new Set((state.resources ?? []).filter((r) => r.mode === "managed").map((r) => `${r.type}.${r.name}`));
}

/** The import blocks for what was found: `to` an address, with the id Terraform imports it by. */
export function importBlocks(found: readonly { address: string; id: string }[]): string {
  return JSON.stringify({ import: found.map((f) => ({ to: f.address, id: f.id })) }, null, 2);
}
