/**
 * Terraform on one synthesized stack at a time: the commands the runner's
 * policies use (init where needed, a plan saved and read as changes, the
 * apply of a saved plan, destroy, untaint, the state's addresses), each with
 * its deadline and Ctrl-C, its output kept to explain a failure and
 * reported as events, its time recorded, and a lock held by another run
 * named once.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { SynthesizedStack } from "./synthesized-stacks";
import { runTerraform, type TerraformRun } from "./terraform";
import { createsOnly, plannedChanges, readableLine } from "./plan-changes";
import { addressesInStateFile, IMPORT_FILE } from "./adoption";
import type { RunReporter } from "./run-events";
import type { Interrupts } from "../../process/interrupts";
import type { PlannedChange } from "../../gate/planned-change";
import { CommandError } from "../../errors";

type Env = Readonly<Record<string, string | undefined>>;

/** What one Terraform command of a stack did, for the breakdown `npm run bench` prints. */
export interface StepTiming {
  readonly stack: string;
  readonly step: "init" | "plan" | "apply" | "destroy";
  /** When the command started, in milliseconds since the epoch (to line it up with the containers' own times). */
  readonly startedAt: number;
  readonly seconds: number;
  /** Resources whose creation took a while, e.g. a container waiting to be healthy: address → seconds. */
  readonly slowResources?: Readonly<Record<string, number>>;
}

/** A plan read: what it would change, and whether applying it does anything at all (outputs included). */
export interface SavedPlan {
  readonly changes: PlannedChange[];
  readonly applies: boolean;
}

export interface StackTerraformOptions {
  readonly env: Env;
  /** How long a command waits for another run's lock on a stack's state before it gives up. @default 60 */
  readonly lockTimeoutSeconds?: number;
  /** How long one Terraform command may run (TERRAFORM_TIMEOUT). */
  readonly deadlineSeconds: number;
  /** Ctrl-C and SIGTERM: passed to Terraform, which saves its state. */
  readonly interrupts?: Interrupts;
  readonly report: RunReporter;
}

/** A Terraform command failed in a way that stops the run. */
export class StackFailure extends CommandError {
  override name = "StackFailure";
}

/** "Creation complete after 12s [id=…]" and the like: Terraform's own measure of a resource. */
const COMPLETE = /^(\S+?)(?: \([^)]*\))?: (?:Creation|Modifications|Destruction) complete after (?:(\d+)m)?(\d+)s/;

/**
 * How many resources Terraform works on at once in a plan or apply (its
 * default is 10). Only the topics stack has more than a handful, and the
 * provider spends most of a topic's creation waiting for the broker, so
 * with hundreds of topics more at once means far less time: see
 * docs/benchmark.md for 500.
 */
const PARALLELISM = "-parallelism=50";

/** Saved plan of a stack, beside its cdk.tf.json: what the data-loss guard read is exactly what gets applied. */
export const PLAN_FILE = "chatbattle.tfplan";

export class StackTerraform {
  readonly timings: StepTiming[] = [];
  /** Stacks that failed because another run held their state's lock. */
  readonly locked: string[] = [];
  /** Each stack's output of its last Terraform command, to explain a failure. */
  private readonly lastOutput = new Map<string, string[]>();

  constructor(private readonly options: StackTerraformOptions) {}

  /**
   * `terraform init` where needed, all at once: each copies its providers
   * from the mirror or the registry into its own folder. Not with a plugin
   * cache (TF_PLUGIN_CACHE_DIR): Terraform writes into it on every init, and
   * concurrent inits break each other there (seen here: 5 of 28 inits failed
   * with the cache, 0 of 16 without). With a cache of the user's, one at a time.
   */
  async initialize(stacks: readonly SynthesizedStack[]): Promise<void> {
    const needed = stacks.filter((s) => !isInitialized(s));
    // The pg backend's first init creates a sequence that every stack's schema shares
    // (public.global_states_id_seq), and two inits creating it at once fail on a
    // "duplicate key" (seen here on a fresh database). One init first, then the rest.
    const pg = needed.some((s) => "pg" in s.backend);
    const waves = this.options.env.TF_PLUGIN_CACHE_DIR
      ? needed.map((s) => [s])
      : pg
        ? [needed.slice(0, 1), needed.slice(1)]
        : [needed];
    for (const wave of waves) {
      if (this.options.interrupts?.interrupted)
        throw new StackFailure("interrupted before every stack was initialized; nothing was changed.");
      const results = await Promise.all(wave.map((s) => this.run(s, "init", ["init", "-input=false"])));
      const failed = wave.filter((_, i) => results[i].status !== 0);
      const moved = failed.filter((s) =>
        this.lastOutput.get(s.name)?.some((line) => /Backend configuration changed/.test(line)),
      );
      if (moved.length > 0) {
        throw new StackFailure(
          `the state backend of ${moved.map((s) => s.name).join(", ")} changed (STATE_BACKEND), and Terraform keeps the state where it was; nothing was changed. ` +
            `To move the state, run ${moved.map((s) => `\`terraform -chdir=${relative(process.cwd(), s.dir)} init -migrate-state\``).join(" and ")} ` +
            "(it asks before copying), then deploy again; or set STATE_BACKEND back.",
        );
      }
      if (failed.length > 0)
        throw new StackFailure(`terraform init failed in ${failed.map((s) => s.name).join(", ")}; see above`);
      for (const stack of wave) writeFileSync(providersStamp(stack), initStamp(stack));
    }
  }

  /**
   * Plans `stack` into its saved plan and reads what it would do; undefined
   * when the plan failed (see {@link replayOutput}). `refresh: false` plans
   * against the state as recorded, without asking the stack's service.
   * `readWhole`: read the plan with `terraform show` even when its own output
   * says it only creates.
   */
  async plan(
    stack: SynthesizedStack,
    options: { refresh: boolean; readWhole?: boolean },
  ): Promise<SavedPlan | undefined> {
    const args = [
      "plan",
      "-input=false",
      "-detailed-exitcode",
      "-json",
      this.lockTimeout(),
      PARALLELISM,
      `-out=${PLAN_FILE}`,
      ...(options.refresh ? [] : ["-refresh=false"]),
    ];
    const plan = await this.run(stack, "plan", args, { quiet: true, machine: true });
    if (plan.status === 0) return { changes: [], applies: false };
    if (plan.status !== 2) return undefined;
    // A plan that only creates or adopts says all the review needs in its own output: no second Terraform to read it.
    const created = options.readWhole ? undefined : createsOnly(stack.name, plan.stdout);
    if (created) return { changes: created, applies: true };
    const shown = await this.run(stack, "plan", ["show", "-json", PLAN_FILE], { quiet: true, json: true });
    if (shown.status !== 0) return undefined;
    // A plan may change only outputs: no change to review, but still one to apply.
    return { changes: plannedChanges(stack.name, shown.stdout), applies: true };
  }

  /**
   * Applies the stack, with `env` added (the review's consent); `abort` stops
   * it as Ctrl-C would. From its saved plan, or, for a stack that can only
   * create (see PlanGuard.allowCreating), as declared, planning within the
   * apply: a saved plan would only repeat the declaration, for one more
   * Terraform and provider start.
   */
  async apply(
    stack: SynthesizedStack,
    env: Readonly<Record<string, string>>,
    abort: AbortSignal,
    from: "saved plan" | "declaration",
  ): Promise<boolean> {
    const what = from === "saved plan" ? [PLAN_FILE] : ["-auto-approve"];
    const run = await this.run(stack, "apply", ["apply", "-input=false", this.lockTimeout(), PARALLELISM, ...what], {
      abort,
      env,
    });
    return run.status === 0;
  }

  async destroy(stack: SynthesizedStack): Promise<boolean> {
    // Destroying needs no fresh read first: the provider takes a container that is already gone as removed.
    const run = await this.run(stack, "destroy", [
      "destroy",
      "-auto-approve",
      "-input=false",
      this.lockTimeout(),
      "-refresh=false",
    ]);
    return run.status === 0;
  }

  async untaint(stack: SynthesizedStack, address: string): Promise<void> {
    await this.run(stack, "apply", ["untaint", this.lockTimeout(), address]);
  }

  /** The addresses the stack's state holds: its local file, else `terraform state list`. */
  async stateAddresses(stack: SynthesizedStack): Promise<Set<string>> {
    if (stack.statePath) return addressesInStateFile(stack.statePath);
    const list = await this.run(stack, "plan", ["state", "list"], { quiet: true });
    return new Set(
      list.status === 0
        ? list.output
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => /^[a-z]/.test(l))
        : [],
    );
  }

  /** The saved plans and import blocks go once the run ends: the next run plans afresh. */
  removePlanFiles(stacks: readonly SynthesizedStack[]): void {
    for (const stack of stacks) {
      rmSync(join(stack.dir, PLAN_FILE), { force: true });
      rmSync(join(stack.dir, IMPORT_FILE), { force: true });
    }
  }

  /** The last lines of the stack's last command, to explain a failure. */
  lastLines(stack: string, count: number): string {
    return (this.lastOutput.get(stack) ?? []).slice(-count).join("\n");
  }

  /** Reports the stack's last command's output again: a quiet command that failed explains itself. */
  replayOutput(stack: SynthesizedStack): void {
    for (const line of this.lastOutput.get(stack.name) ?? [])
      if (line.trim()) this.options.report({ kind: "output", stack: stack.name, line });
  }

  private lockTimeout(): string {
    return `-lock-timeout=${this.options.lockTimeoutSeconds ?? 60}s`;
  }

  /**
   * After a failed command: when another run held the state's lock, one
   * event that says who and since when (Terraform's lock info, which holds
   * no secret), once per stack.
   */
  private explainLock(stack: SynthesizedStack): void {
    const output = this.lastOutput.get(stack.name) ?? [];
    if (!output.some((line) => /Error acquiring the state lock/.test(line))) return;
    if (this.locked.includes(stack.name)) return;
    const info = (field: string) =>
      output.map((line) => new RegExp(`^\\s*${field}:\\s*(.*)$`).exec(line)?.[1]).find(Boolean) ?? "unknown";
    this.locked.push(stack.name);
    this.options.report({
      kind: "locked",
      stack: stack.name,
      who: info("Who"),
      operation: info("Operation"),
      since: info("Created"),
      waitedSeconds: this.options.lockTimeoutSeconds ?? 60,
    });
  }

  /** Runs Terraform in a stack, its output reported line by line (unless `quiet`) and kept. */
  private async run(
    stack: SynthesizedStack,
    step: StepTiming["step"],
    args: string[],
    options: {
      quiet?: boolean;
      json?: boolean;
      machine?: boolean;
      abort?: AbortSignal;
      env?: Readonly<Record<string, string>>;
    } = {},
  ): Promise<TerraformRun> {
    const slowResources: Record<string, number> = {};
    const output: string[] = [];
    this.lastOutput.set(stack.name, output);
    const run = await runTerraform(stack.dir, args, {
      env: options.env ? { ...this.options.env, ...options.env } : this.options.env,
      deadlineSeconds: this.options.deadlineSeconds,
      interrupts: this.options.interrupts,
      label: `${stack.name}: terraform ${args[0]}`,
      json: options.json || options.machine,
      abort: options.abort,
      onLine: (raw) => {
        // Machine-readable output (-json) is kept in words, for the messages that explain a failure.
        const line = options.machine ? readableLine(raw) : raw;
        output.push(...line.split("\n"));
        const complete = COMPLETE.exec(line);
        if (complete) slowResources[complete[1]] = Number(complete[2] ?? 0) * 60 + Number(complete[3]);
        if (!options.quiet && line.trim()) this.options.report({ kind: "output", stack: stack.name, line });
      },
    });
    if (run.timedOut) {
      output.push(run.output.split("\n").at(-1)!);
      this.options.report({
        kind: "timed-out",
        stack: stack.name,
        command: args[0],
        deadlineSeconds: this.options.deadlineSeconds,
      });
    } else if (run.status === 127) {
      this.options.report({ kind: "not-started", stack: stack.name, why: run.output.split("\n").at(-1)! });
    }
    this.timings.push({
      stack: stack.name,
      step,
      startedAt: Date.now() - run.seconds * 1000,
      seconds: run.seconds,
      slowResources,
    });
    // A failed quiet plan (a broker that is down, say) is not an error here: the deploy then applies.
    if (run.status !== 0) this.explainLock(stack);
    return run;
  }
}

/**
 * A local state file that is not JSON (cut short by a full disk, a crash, an
 * edit) stops the run before anything changes, naming the file and the two
 * ways back. An empty one is no state, as Terraform reads it.
 */
export function checkStateFile(stack: SynthesizedStack): void {
  if (!stack.statePath || !existsSync(stack.statePath)) return;
  const text = readFileSync(stack.statePath, "utf8");
  // An empty file is no state to Terraform (statefile.Read's ErrNoState): what a run killed between
  // taking its lock and its first write leaves. The deploy goes on and adopts what exists.
  if (text.trim() === "") return;
  try {
    JSON.parse(text);
  } catch (error) {
    const file = relative(process.cwd(), stack.statePath);
    const backup = `${stack.statePath}.backup`;
    const fromBackup = existsSync(backup)
      ? `put back the copy Terraform kept before its last write (${statSync(backup).mtime.toISOString()}): \`cp ${file}.backup ${file}\`; or `
      : "";
    throw new StackFailure(
      `the ${stack.name} stack's state ${file} is damaged (${(error as Error).message}); nothing was changed. ` +
        `To recover, ${fromBackup}move it aside (\`mv ${file} ${file}.damaged\`) and deploy again: deploy adopts what exists.`,
    );
  }
}

function providersStamp(stack: SynthesizedStack): string {
  return join(stack.dir, ".terraform", "chatbattle-providers.json");
}

/**
 * Initialized, with the providers it requires now: then init has nothing to
 * do. A stack without providers (the schema step) gets no lock file.
 */
function isInitialized(stack: SynthesizedStack): boolean {
  const locked =
    Object.keys(stack.requiredProviders).length === 0 || existsSync(join(stack.dir, ".terraform.lock.hcl"));
  return (
    locked && existsSync(providersStamp(stack)) && readFileSync(providersStamp(stack), "utf8") === initStamp(stack)
  );
}

/** What `terraform init` set up: the providers and the backend (another backend needs init again). */
function initStamp(stack: SynthesizedStack): string {
  return JSON.stringify({ providers: stack.requiredProviders, backend: stack.backend });
}
