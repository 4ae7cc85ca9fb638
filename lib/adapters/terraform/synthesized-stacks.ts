import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runTerraform, terraformErrors } from "./terraform";
import type { Interrupts } from "../../process/interrupts";

type Env = Readonly<Record<string, string | undefined>>;

/** A synthesized stack: its name and the folder Terraform runs in. */
export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
  /** Stacks that must be deployed before it (and destroyed after it). */
  readonly dependencies: readonly string[];
  /** Its required_providers block, source and version constraint by local name (docker, kafka). */
  readonly requiredProviders: Readonly<Record<string, unknown>>;
  /** Where its local backend keeps the state; undefined for another backend. */
  readonly statePath?: string;
  /** Its backend block as synthesized, e.g. { local: { path } } or { pg: { schema_name } }. */
  readonly backend: Readonly<Record<string, unknown>>;
  /**
   * Whether it reads other stacks' outputs (terraform_remote_state): a plan of
   * it made before those stacks applied a change is out of date afterwards.
   */
  readonly readsOtherStacks: boolean;
}

/** The stacks cdktf wrote to `outdir`, in the manifest's order. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  type ManifestStack = { name: string; workingDirectory: string; synthesizedStackPath: string; dependencies: string[] };
  return Object.values(manifest.stacks as Record<string, ManifestStack>).map((stack) => {
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8"));
    const dir = join(outdir, stack.workingDirectory);
    const localState: string | undefined = json.terraform?.backend?.local?.path;
    return {
      name: stack.name,
      dir,
      dependencies: stack.dependencies,
      requiredProviders: json.terraform?.required_providers ?? {},
      statePath: localState === undefined ? undefined : resolve(dir, localState),
      backend: json.terraform?.backend ?? {},
      readsOtherStacks: Object.keys(json.data?.terraform_remote_state ?? {}).length > 0,
    };
  });
}

/** What happened to one stack. */
export interface StackCheck {
  readonly stack: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * init and validate a synthesized stack, then plan it (read-only) when it
 * holds Docker objects: the others need their service running to plan.
 */
export async function checkStack(
  stack: SynthesizedStack,
  env: Env,
  options: { deadlineSeconds: number; interrupts?: Interrupts },
): Promise<StackCheck> {
  const terraform = (args: string[]) =>
    runTerraform(stack.dir, args, {
      env,
      deadlineSeconds: options.deadlineSeconds,
      interrupts: options.interrupts,
      label: `${stack.name}: terraform ${args[0]}`,
    });
  const fail = (step: string, output: string) => ({
    stack: stack.name,
    ok: false,
    detail: `${step}: ${terraformErrors(output).join("; ") || output.trim().split("\n").slice(-3).join(" ")}`,
  });
  const init = await terraform(["init", "-input=false"]);
  if (init.status !== 0) return fail("init", init.output);
  const validate = await terraform(["validate"]);
  if (validate.status !== 0) return fail("validate", validate.output);
  if (!("docker" in stack.requiredProviders))
    return { stack: stack.name, ok: true, detail: "valid (not planned: needs its service running)" };
  // Read-only: no state lock, so a deploy in progress is neither blocked nor blocks this.
  const plan = await terraform(["plan", "-input=false", "-lock=false", "-detailed-exitcode"]);
  if (plan.status === 0) return { stack: stack.name, ok: true, detail: "valid; plan: no changes" };
  if (plan.status === 2) {
    const summary = /Plan: (.*)$/m.exec(plan.output)?.[1] ?? "changes";
    return { stack: stack.name, ok: true, detail: `valid; plan: ${summary}` };
  }
  return fail("plan", plan.output);
}
