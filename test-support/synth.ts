import { App } from "cdktf";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../lib/config/config";
import { buildStacks } from "../lib/app";
import { STACK_NAMES } from "../lib/names";

export const PROJECT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

export type StackName = keyof typeof STACK_NAMES;
/** Synthesized Terraform JSON, typed as JSON.parse gives it: tests navigate it freely. */
export type StackJson = ReturnType<typeof JSON.parse>;

export interface Synthesized {
  readonly stacks: Record<StackName, StackJson>;
  /** Raw text of each stack, as written to cdk.tf.json. */
  readonly texts: Record<StackName, string>;
  readonly manifest: StackJson;
  /** The folder the app was synthesized into (already deleted). */
  readonly outdir: string;
}

/**
 * Synthesizes the whole app, as `cdktf synth` does, with the given settings
 * (defaults for the rest) and returns what was written. The output folder is
 * deleted afterwards unless `keepIn` names it.
 */
export function synthesize(env: Record<string, string> = {}, options: { keepIn?: string } = {}): Synthesized {
  const outdir = options.keepIn ?? mkdtempSync(join(tmpdir(), "chatbattle-synth-"));
  try {
    const app = new App({ outdir });
    buildStacks(app, parseConfig(env), PROJECT_ROOT, env);
    app.synth();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    const texts = {} as Record<StackName, string>;
    const stacks = {} as Record<StackName, StackJson>;
    // The stacks the target synthesizes: all six locally, topics and schema on a cluster.
    for (const name of (Object.keys(STACK_NAMES) as StackName[]).filter((n) => STACK_NAMES[n] in manifest.stacks)) {
      texts[name] = readFileSync(join(outdir, "stacks", STACK_NAMES[name], "cdk.tf.json"), "utf8");
      stacks[name] = JSON.parse(texts[name]);
    }
    return { stacks, texts, manifest, outdir };
  } finally {
    if (!options.keepIn) rmSync(outdir, { recursive: true, force: true });
  }
}

/** The docker_container resources of a stack, keyed by container name. */
export function containersByName(stack: StackJson): Record<string, StackJson> {
  return Object.fromEntries(Object.values(stack.resource?.docker_container ?? {}).map((c: StackJson) => [c.name, c]));
}

/** A container's env list as a map. */
export function envOf(container: StackJson): Record<string, string> {
  return Object.fromEntries(
    (container.env as string[]).map((entry) => [
      entry.slice(0, entry.indexOf("=")),
      entry.slice(entry.indexOf("=") + 1),
    ]),
  );
}
