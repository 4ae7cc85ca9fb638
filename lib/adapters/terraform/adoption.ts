/**
 * Adopting what exists: objects a stack declares that are missing from its
 * state (the state was deleted, a second checkout deploys, or a killed run
 * created them without recording them) but exist on Docker or the broker.
 * They are imported with Terraform's own `import` blocks rather than created
 * again, which would fail on the name, or removed, which would lose data.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SynthesizedStack } from "./synthesized-stacks";
import { taintedResources } from "./state-file";

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

/**
 * Resource types whose creation touches nothing that exists: the adoptable
 * ones, whose objects the adoption looks for by name before anything is
 * planned (a topic, container or network of that name is adopted or refused,
 * a volume of that name is used as it is), and images, which a destroy keeps.
 * The schema step's terraform_data is not among them: it runs a command.
 */
const CREATE_ONLY_TYPES: ReadonlySet<string> = new Set([...ADOPTABLE_TYPES, "docker_image"]);

/** Whether a synthesized stack declares resources, all of types whose creation touches nothing that exists. */
export function declaresOnlyCreatable(stackDir: string): boolean {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource?: Record<string, Record<string, unknown>>;
  };
  const types = Object.entries(json.resource ?? {})
    .filter(([, resources]) => Object.keys(resources).length > 0)
    .map(([type]) => type);
  return types.length > 0 && types.every((type) => CREATE_ONLY_TYPES.has(type));
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

/** An object to import: its address in the stack, its id, and its name for messages. */
export interface FoundObject {
  readonly address: string;
  readonly id: string;
  readonly name: string;
}

/** What `stack` declares, is missing from its state (`inState`), and exists (`existing` finds its id): to be imported. */
export async function adoptable(
  stack: SynthesizedStack,
  inState: () => Promise<ReadonlySet<string>>,
  existing: (type: AdoptableType, name: string) => Promise<string | undefined>,
): Promise<FoundObject[]> {
  const declared = declaredAdoptable(stack.dir);
  if (declared.length === 0) return [];
  const recorded = await inState();
  const missing = declared.filter((c) => !recorded.has(c.address));
  const found = await Promise.all(missing.map(async (c) => ({ ...c, id: await existing(c.type, c.name) })));
  return found.filter((f): f is typeof f & { id: string } => f.id !== undefined);
}

/** Writes the import blocks for `found` beside the stack's configuration, or removes them when there is nothing to adopt. */
export function writeImports(stack: SynthesizedStack, found: readonly FoundObject[]): void {
  const path = join(stack.dir, IMPORT_FILE);
  if (found.length === 0) rmSync(path, { force: true });
  else writeFileSync(path, importBlocks(found));
}

/** Resource types whose tainted instances are untainted when they exist as recorded. */
const UNTAINTABLE_TYPES = ["docker_network", "docker_volume"] as const;

/**
 * A network or volume whose creation a Ctrl-C cut short is tainted, and
 * Terraform would replace it: a network the containers use (which fails
 * while they are on it), a volume with its data. Those that exist as
 * recorded did finish: they are to be untainted instead.
 */
export async function finishedCreations(
  stack: SynthesizedStack,
  createdAsRecorded: (type: AdoptableType, name: string, id: string) => Promise<boolean>,
): Promise<{ readonly address: string; readonly name: string }[]> {
  if (!stack.statePath) return [];
  const finished = [];
  for (const resource of taintedResources(stack.statePath, UNTAINTABLE_TYPES))
    if (await createdAsRecorded(resource.type as AdoptableType, resource.name, resource.id)) finished.push(resource);
  return finished;
}
