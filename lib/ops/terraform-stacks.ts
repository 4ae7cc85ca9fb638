import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

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
}

/** The stacks cdktf wrote to `outdir`, in the manifest's order. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  type ManifestStack = { name: string; workingDirectory: string; synthesizedStackPath: string; dependencies: string[] };
  return Object.values(manifest.stacks as Record<string, ManifestStack>).map(
    (stack) => {
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
      };
    },
  );
}

/** How one Terraform command ended. */
export interface TerraformRun {
  /** Exit code; null when it was killed at its deadline. */
  readonly status: number | null;
  readonly output: string;
}

/** Terraform or OpenTofu, as cdktf picks it. */
export function terraformBinary(env: Env): string {
  return env.TERRAFORM_BINARY_NAME || "terraform";
}

/**
 * Runs Terraform in `dir` without prompts or colour, killed after
 * `deadlineSeconds` so that nothing here can hang.
 */
export function runTerraform(dir: string, args: readonly string[], env: Env, deadlineSeconds = 300): TerraformRun {
  const result = spawnSync(terraformBinary(env), [...args, "-no-color"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
    timeout: deadlineSeconds * 1000,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    return { status: 1, output: `${terraformBinary(env)} was not found on PATH. Install Terraform or OpenTofu (see the README's prerequisites).` };
  }
  const timedOut = result.signal === "SIGTERM" && result.status === null;
  return {
    status: result.status,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${timedOut ? `\n(stopped after ${deadlineSeconds} s)` : ""}`,
  };
}

/**
 * The Terraform errors in an output, one line each, e.g. "Error: Unsupported
 * argument on cdk.tf.json line 12 … An argument named "bogus" is not expected here."
 * Terraform draws each diagnostic in a box (╷ │ ╵); the box goes, the words stay.
 */
export function terraformErrors(output: string): string[] {
  const errors: string[][] = [];
  let current: string[] | undefined;
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^[│╷╵]\s?/, "").trim();
    if (line.startsWith("Error: ")) errors.push((current = [line]));
    else if (raw.startsWith("╵")) current = undefined;
    else if (current && line) current.push(line);
  }
  return errors.map((lines) => lines.join(" ").replace(/\s+/g, " "));
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
export function checkStack(stack: SynthesizedStack, env: Env): StackCheck {
  const fail = (step: string, output: string) => ({
    stack: stack.name,
    ok: false,
    detail: `${step}: ${terraformErrors(output).join("; ") || output.trim().split("\n").slice(-3).join(" ")}`,
  });
  const init = runTerraform(stack.dir, ["init", "-input=false"], env);
  if (init.status !== 0) return fail("init", init.output);
  const validate = runTerraform(stack.dir, ["validate"], env);
  if (validate.status !== 0) return fail("validate", validate.output);
  if (!("docker" in stack.requiredProviders)) return { stack: stack.name, ok: true, detail: "valid (not planned: needs its service running)" };
  // Read-only: no state lock, so a deploy in progress is neither blocked nor blocks this.
  const plan = runTerraform(stack.dir, ["plan", "-input=false", "-lock=false", "-detailed-exitcode"], env);
  if (plan.status === 0) return { stack: stack.name, ok: true, detail: "valid; plan: no changes" };
  if (plan.status === 2) {
    const summary = /Plan: (.*)$/m.exec(plan.output)?.[1] ?? "changes";
    return { stack: stack.name, ok: true, detail: `valid; plan: ${summary}` };
  }
  return fail("plan", plan.output);
}
