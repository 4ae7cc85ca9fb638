import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { readSynthesizedStacks, type SynthesizedStack } from "./synthesized-stacks";
import { runTerraform, terraformBinary, type TerraformRun } from "./terraform";
import { stopLeftoverTerraform } from "./leftover-terraform";
import type { Interrupts } from "../../process/interrupts";
import { CommandError } from "../../errors";
import { createsOnly, plannedChanges, readableLine } from "./plan-changes";
import { addressesInStateFile, declaredAdoptable, IMPORT_FILE, importBlocks, type AdoptableType } from "./adoption";
import type { PlannedChange } from "../../gate/planned-change";
import { taintedResources } from "./state-file";

/** Resource types whose tainted instances are untainted when they exist as recorded (see untaintFinished). */
const UNTAINTABLE_TYPES = ["docker_network", "docker_volume"] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** What one Terraform command of a stack did, for the breakdown `npm run bench` prints. */
export interface StepTiming {
  readonly stack: string;
  readonly step: "init" | "plan" | "apply" | "destroy";
  readonly seconds: number;
  /** Resources whose creation took a while, e.g. a container waiting to be healthy: address → seconds. */
  readonly slowResources?: Readonly<Record<string, number>>;
}

/** How a run went: per-stack failures and the time each Terraform command took. */
export interface RunResult {
  readonly failed: readonly string[];
  readonly timings: readonly StepTiming[];
  /** Stacks whose plan the review refused: not applied. */
  readonly refused: readonly string[];
  /** Whether the refusal came before any stack was applied (else only the refused stacks and their dependants were left). */
  readonly refusedBeforeApplying: boolean;
}

/** What the review of planned changes decided. */
export interface Review {
  /** Whether the plans may be applied as they are. */
  readonly apply: boolean;
  /** Settings every apply from then on gets in its environment (the schema step's consent to the CQL it was shown). */
  readonly env?: Readonly<Record<string, string>>;
}

/** When a review happens: once for every stack planned before anything is applied, then once per stack planned only when its service came up. */
export type ReviewMoment = "before-anything" | "when-its-service-came-up";

/** How `plan()` planned one stack. */
export interface StackPlanResult {
  readonly stack: string;
  /** fresh: planned against the live objects; recorded: its service does not run, so against its recorded state only (-refresh=false); failed: see `output`. */
  readonly how: "fresh" | "recorded" | "failed";
  readonly changes: readonly PlannedChange[];
  /** Terraform's last lines, when the plan failed. */
  readonly output?: string;
}

/** What the runner is told about the world outside Terraform; deploy supplies it. */
export interface DeployHooks {
  /**
   * Whether what `stack` talks to answers (Kafka for the topics, Cassandra
   * for the schema). With `wait`, waits for it (and throws a CommandError
   * when it never comes); without, only asks. Stacks it does not know are ready.
   */
  ready(stack: string, wait: boolean): Promise<boolean>;
  /**
   * Whether what `stack` provides can be used by the stacks that depend on it
   * already, while its own apply is still running (the network, as soon as
   * Docker has it, while the provider waits its fixed 2 s). Asked every
   * 100 ms until it says yes or the apply ends. Optional: without it, or for
   * stacks it does not know (false), dependants wait for the apply.
   */
  usableEarly?(stack: string): Promise<boolean>;
  /**
   * Asked every second while `stack` is applied: a message when the service
   * it talks to has broken meanwhile (unhealthy, dead, restarting again and
   * again). The runner then stops that apply, which saves its state, and
   * shows the message. Optional; undefined means all is well.
   */
  trouble?(stack: string): Promise<string | undefined>;
  /**
   * Whether an object whose creation was cut short (tainted in the state:
   * a Ctrl-C during the Docker provider's wait after it created a network,
   * say) exists as recorded, so its creation did finish. Optional.
   */
  createdAsRecorded?(type: AdoptableType, name: string, id: string): Promise<boolean>;
  /** The id of an existing object to adopt into the state, or undefined when there is none. */
  existing(type: AdoptableType, name: string): Promise<string | undefined>;
  /**
   * Shown every change a saved plan holds, before any of it is applied:
   * the gate. Resolves whether the plans may be applied. Nothing is applied
   * that was not reviewed: every apply is of a plan shown here.
   */
  review(changes: readonly PlannedChange[], moment: ReviewMoment): Promise<Review>;
  /**
   * Runs just before `stack` is applied, once its plan passed the guard: the
   * moment to prepare a service for what the apply does to it (drain a
   * Cassandra node whose container is about to be replaced). Optional.
   */
  beforeApply?(stack: string): Promise<void>;
}

export interface StackRunnerOptions {
  readonly env: Env;
  /**
   * How long plan, apply and destroy wait for another run's lock on a stack's
   * state (a file lock, or PostgreSQL's with the pg backend) before they give
   * up without changing it.
   * @default 60
   */
  readonly lockTimeoutSeconds?: number;
  /** How long one Terraform command may run (TERRAFORM_TIMEOUT). */
  readonly deadlineSeconds: number;
  /** Ctrl-C and SIGTERM: passed to Terraform, which saves its state; nothing new starts. */
  readonly interrupts?: Interrupts;
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
const PLAN_FILE = "chatbattle.tfplan";

/**
 * Runs the synthesized stacks with Terraform itself, as `cdktf deploy` and
 * `cdktf destroy` do, minus their fixed costs: `terraform init` only where a
 * stack was never initialized or its providers changed, all at once, each
 * stack as soon as the stacks it depends on are done, and output prefixed
 * with the stack as cdktf prints it. Every Terraform command has a deadline
 * and gets Ctrl-C and SIGTERM through `interrupts`.
 *
 * Every apply is of a saved plan that the hooks reviewed (the data-loss
 * gate), whatever the stack's state holds, lost or empty state and
 * adoption included: every stack whose service answers is planned first,
 * and all those plans are reviewed at once before anything is applied; a
 * stack whose service is not up yet (a start after stop) is planned and
 * reviewed the same way just before it is applied.
 */
export class StackRunner {
  private readonly stacks: SynthesizedStack[];
  private readonly width: number;
  readonly timings: StepTiming[] = [];
  /** Each stack's output of its last Terraform command, to explain a failure. */
  private readonly lastOutput = new Map<string, string[]>();
  /** Stacks that failed because another run held their state's lock. */
  readonly locked: string[] = [];
  /** Stacks with a saved plan that the review allowed, and whether that plan changes anything. */
  private readonly checkedPlans = new Map<string, boolean>();
  /** Stacks whose plan the review refused. */
  private readonly refused: string[] = [];
  /** Stacks this run applied a change to: a stack that reads their outputs is planned again before its apply. */
  private readonly changed = new Set<string>();
  /** What the reviews asked every apply to get in its environment. */
  private applyEnv: Readonly<Record<string, string>> = {};
  /** Stacks whose apply was stopped because their service broke (see DeployHooks.trouble). */
  private readonly troubled = new Set<string>();

  constructor(
    private readonly outdir: string,
    private readonly options: StackRunnerOptions,
  ) {
    this.stacks = readSynthesizedStacks(outdir);
    this.width = Math.max(...this.stacks.map((s) => s.name.length));
  }

  private get interrupted(): boolean {
    return this.options.interrupts?.interrupted ?? false;
  }

  /** Creates or repairs every stack, in dependency order, guarding the data. */
  async deploy(hooks: DeployHooks): Promise<RunResult> {
    for (const stack of this.stacks) checkStateFile(stack);
    await this.stopLeftovers();
    await this.initialize(this.stacks);
    try {
      await this.untaintFinished(hooks);
      const codes = await this.planFirst(hooks);
      if (this.refused.length > 0) return { ...this.result([]), refusedBeforeApplying: true };
      if (this.stacks.every((s) => codes.get(s.name) === false)) {
        console.log("deploy: every stack is as declared; nothing to do.");
        return this.result([]);
      }
      return await this.walk(this.stacks, (s) => s.dependencies, "apply", hooks);
    } finally {
      this.removePlanFiles();
    }
  }

  /**
   * Plans every stack without applying anything, as `npm run plan` shows it:
   * against the live objects where the stack's service answers, else against
   * its recorded state only (Terraform's -refresh=false), which needs no
   * service. Nothing is changed; adoption is planned as a deploy would do it.
   */
  async plan(hooks: Pick<DeployHooks, "ready" | "existing">): Promise<StackPlanResult[]> {
    for (const stack of this.stacks) checkStateFile(stack);
    await this.stopLeftovers();
    await this.initialize(this.stacks);
    try {
      return await Promise.all(
        this.stacks.map(async (stack): Promise<StackPlanResult> => {
          const live = await hooks.ready(stack.name, false);
          const planned = await this.planStack(stack, hooks, { refresh: live, readWhole: true });
          if (!planned)
            return {
              stack: stack.name,
              how: "failed",
              changes: [],
              output: (this.lastOutput.get(stack.name) ?? []).slice(-12).join("\n"),
            };
          return { stack: stack.name, how: live ? "fresh" : "recorded", changes: planned.changes };
        }),
      );
    } finally {
      this.removePlanFiles();
    }
  }

  private removePlanFiles(): void {
    for (const stack of this.stacks) {
      rmSync(join(stack.dir, PLAN_FILE), { force: true });
      rmSync(join(stack.dir, IMPORT_FILE), { force: true });
    }
  }

  /** Destroys the named stacks, dependants first; stacks outside the set are left alone. */
  async destroy(names: readonly string[]): Promise<RunResult> {
    const selected = this.stacks.filter((s) => names.includes(s.name));
    for (const stack of selected) checkStateFile(stack);
    await this.stopLeftovers();
    await this.initialize(selected);
    // Reverse order: a stack waits for the selected stacks that depend on it.
    const dependants = (stack: SynthesizedStack) =>
      selected.filter((s) => s.dependencies.includes(stack.name)).map((s) => s.name);
    return this.walk(selected, dependants, "destroy");
  }

  /**
   * A network or volume whose creation a Ctrl-C cut short is tainted, and
   * Terraform would replace it: a network the containers use (which fails
   * while they are on it), a volume with its data. When it exists as
   * recorded, its creation did finish: it is untainted instead.
   */
  private async untaintFinished(hooks: DeployHooks): Promise<void> {
    if (!hooks.createdAsRecorded) return;
    for (const stack of this.stacks) {
      if (!stack.statePath) continue;
      for (const resource of taintedResources(stack.statePath, UNTAINTABLE_TYPES)) {
        if (!(await hooks.createdAsRecorded(resource.type as AdoptableType, resource.name, resource.id))) continue;
        this.print(
          stack.name,
          `${resource.address} (${resource.name}): its creation was cut short, but it exists as recorded; untainting it rather than replacing it`,
        );
        await this.terraform(stack, "apply", ["untaint", this.lockTimeout(), resource.address]);
      }
    }
  }

  /** Terraform still running from a command killed with -9 is stopped (it saves its state) before anything starts. */
  private async stopLeftovers(): Promise<void> {
    await stopLeftoverTerraform(join(this.outdir, "stacks"), terraformBinary(this.options.env), (line) =>
      console.log(line),
    );
  }

  private result(failed: readonly string[]): RunResult {
    return { failed, timings: this.timings, refused: this.refused, refusedBeforeApplying: false };
  }

  /**
   * `terraform init` where needed, all at once: each copies its providers
   * from the mirror or the registry into its own folder. Not with a plugin
   * cache (TF_PLUGIN_CACHE_DIR): Terraform writes into it on every init, and
   * concurrent inits break each other there (seen here: 5 of 28 inits failed
   * with the cache, 0 of 16 without). With a cache of the user's, one at a time.
   */
  private async initialize(stacks: readonly SynthesizedStack[]): Promise<void> {
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
      if (this.interrupted)
        throw new StackFailure("interrupted before every stack was initialized; nothing was changed.");
      const results = await Promise.all(wave.map((s) => this.terraform(s, "init", ["init", "-input=false"])));
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
   * Before anything is applied: plans, each into a saved plan, every stack
   * whose service answers now, and has the hooks review all those changes at
   * once. Returns, per stack planned, whether its plan changes anything. A
   * stack not planned here (its service is down, or its plan failed) is
   * planned again just before it is applied.
   */
  private async planFirst(hooks: DeployHooks): Promise<Map<string, boolean>> {
    const planned = new Map<string, { changes: PlannedChange[]; applies: boolean }>();
    await Promise.all(
      this.stacks.map(async (stack) => {
        if (!(await hooks.ready(stack.name, false))) return;
        const plan = await this.planStack(stack, hooks, { refresh: true });
        if (plan) planned.set(stack.name, plan);
      }),
    );
    const changes = [...planned.values()].flatMap((p) => p.changes);
    if (changes.length > 0 && !(await this.reviewed(hooks, changes, "before-anything"))) {
      // Nothing is applied: the review said why.
      this.refused.push(...this.stacks.filter((s) => planned.get(s.name)?.changes.length).map((s) => s.name));
      return new Map();
    }
    for (const [stack, plan] of planned) this.checkedPlans.set(stack, plan.applies);
    return new Map([...planned].map(([stack, plan]) => [stack, plan.applies]));
  }

  /**
   * Plans `stack` into a saved plan, adopting what exists and the state does
   * not know, and reads what the plan would do. Undefined when the plan
   * failed (the caller says why). `refresh: false` plans against the state
   * as recorded, without asking the stack's service.
   */
  private async planStack(
    stack: SynthesizedStack,
    hooks: Pick<DeployHooks, "existing">,
    options: { refresh: boolean; readWhole?: boolean },
  ): Promise<{ changes: PlannedChange[]; applies: boolean } | undefined> {
    this.writeImports(stack, await this.adoptable(stack, hooks));
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
    const plan = await this.terraform(stack, "plan", args, { quiet: true, machine: true });
    if (plan.status === 0) return { changes: [], applies: false };
    if (plan.status !== 2) return undefined;
    // A plan that only creates or adopts says all the review needs in its own output: no second Terraform to read it.
    const created = options.readWhole ? undefined : createsOnly(stack.name, plan.stdout);
    if (created) return { changes: created, applies: true };
    const shown = await this.terraform(stack, "plan", ["show", "-json", PLAN_FILE], { quiet: true, json: true });
    if (shown.status !== 0) return undefined;
    // A plan may change only outputs: no change to review, but still one to apply.
    return { changes: plannedChanges(stack.name, shown.stdout), applies: true };
  }

  /** Has the hooks review `changes`; true when they may be applied. Keeps what the review asks the applies to get. */
  private async reviewed(
    hooks: DeployHooks,
    changes: readonly PlannedChange[],
    moment: ReviewMoment,
  ): Promise<boolean> {
    const review = await hooks.review(changes, moment);
    if (review.apply) this.applyEnv = { ...this.applyEnv, ...review.env };
    return review.apply;
  }

  /** Runs `action` on every stack once `waitFor(stack)` are done; skips what depends on a failure. */
  private async walk(
    stacks: readonly SynthesizedStack[],
    waitFor: (s: SynthesizedStack) => readonly string[],
    action: "apply" | "destroy",
    hooks?: DeployHooks,
  ): Promise<RunResult> {
    const done = new Map<string, Promise<boolean>>();
    const early = new Map<string, Promise<boolean>>();
    // A dependency is there for its dependants when its apply succeeded, or earlier when the hooks see it usable.
    const available = (name: string): Promise<boolean> => {
      const applied = run(stacks.find((s) => s.name === name)!);
      // A stack whose reviewed plan changes nothing is there at once: nothing to watch for.
      if (action !== "apply" || !hooks?.usableEarly || this.checkedPlans.get(name) === false) return applied;
      if (!early.has(name)) early.set(name, Promise.race([applied, this.seenUsable(name, applied, hooks)]));
      return early.get(name)!;
    };
    const run = (stack: SynthesizedStack): Promise<boolean> => {
      if (!done.has(stack.name)) {
        const before = waitFor(stack).map(available);
        done.set(
          stack.name,
          Promise.all(before).then(async (oks) => {
            if (!oks.every(Boolean) || this.interrupted) {
              const why = this.interrupted ? "interrupted" : "a stack it waits for failed";
              this.print(stack.name, `not ${action === "apply" ? "deployed" : "destroyed"}: ${why}`);
              return false;
            }
            try {
              return action === "apply" ? await this.apply(stack, hooks!) : await this.destroyOne(stack);
            } catch (error) {
              if (!(error instanceof CommandError)) throw error;
              this.print(stack.name, error.message);
              return false;
            }
          }),
        );
      }
      return done.get(stack.name)!;
    };
    const results = await Promise.all(stacks.map(run));
    return this.result(stacks.filter((_, i) => !results[i]).map((s) => s.name));
  }

  /** Resolves true once the hooks see `stack` usable; never resolves when its apply ends first (the apply decides then). */
  private async seenUsable(stack: string, applied: Promise<boolean>, hooks: DeployHooks): Promise<boolean> {
    let ended = false;
    void applied.finally(() => (ended = true));
    while (!ended && !this.interrupted) {
      if (await hooks.usableEarly!(stack)) {
        if (!ended) this.print(stack, "usable now; the stacks that need it start while Terraform finishes");
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return new Promise<boolean>(() => undefined);
  }

  private async destroyOne(stack: SynthesizedStack): Promise<boolean> {
    // Destroying needs no fresh read first: the provider takes a container that is already gone as removed.
    const run = await this.terraform(stack, "destroy", [
      "destroy",
      "-auto-approve",
      "-input=false",
      this.lockTimeout(),
      "-refresh=false",
    ]);
    return run.status === 0;
  }

  /**
   * Applies one stack once its service is ready: the saved plan the review
   * allowed, planning and reviewing it first when it was not planned before.
   */
  private async apply(stack: SynthesizedStack, hooks: DeployHooks): Promise<boolean> {
    // Its state was locked when it was planned: that was said, and waited for, once.
    if (this.locked.includes(stack.name)) return false;
    await hooks.ready(stack.name, true);
    if (this.interrupted) return false;
    // Planned up front with the outputs of stacks that have changed since (a container replaced, say): out of date.
    if (stack.readsOtherStacks && stack.dependencies.some((d) => this.changed.has(d)))
      this.checkedPlans.delete(stack.name);
    if (!this.checkedPlans.has(stack.name) && !(await this.planLate(stack, hooks))) return false;
    // A plan the review read as empty: applying it would only start Terraform to do nothing.
    if (!this.checkedPlans.get(stack.name)) return true;
    await hooks.beforeApply?.(stack.name);
    const applied = await this.applySaved(stack, hooks);
    if (applied || this.interrupted || this.troubled.has(stack.name)) return applied;
    // Something made it meanwhile (a Terraform of a killed run finishing its work, say):
    // when there is now something to adopt, plan again adopting it, review that, and apply it.
    if ((await this.adoptable(stack, hooks)).length === 0) return false;
    this.checkedPlans.delete(stack.name);
    if (!(await this.planLate(stack, hooks))) return false;
    return !this.checkedPlans.get(stack.name) || this.applySaved(stack, hooks);
  }

  /** Plans a stack just before its apply and has the hooks review it; false when the plan failed or was refused. */
  private async planLate(stack: SynthesizedStack, hooks: DeployHooks): Promise<boolean> {
    const plan = await this.planStack(stack, hooks, { refresh: true });
    if (!plan) {
      // The plan failed: say why, as an apply would have (a lock was explained already).
      if (!this.locked.includes(stack.name)) this.showLastOutput(stack);
      return false;
    }
    if (plan.changes.length > 0 && !(await this.reviewed(hooks, plan.changes, "when-its-service-came-up"))) {
      this.print(
        stack.name,
        "not applied: its plan would lose data (its service was not up before; the stacks before it were applied)",
      );
      this.refused.push(stack.name);
      return false;
    }
    this.checkedPlans.set(stack.name, plan.applies);
    return true;
  }

  private async applySaved(stack: SynthesizedStack, hooks: DeployHooks): Promise<boolean> {
    const applied = await this.watched(stack, hooks, (abort) =>
      this.terraform(stack, "apply", ["apply", "-input=false", this.lockTimeout(), PARALLELISM, PLAN_FILE], {
        abort,
        env: this.applyEnv,
      }),
    );
    if (applied) this.changed.add(stack.name);
    return applied;
  }

  /**
   * Runs an apply while asking the hooks every second whether the stack's
   * service broke; if so, stops the apply (it saves its state) and says why.
   */
  private async watched(
    stack: SynthesizedStack,
    hooks: DeployHooks,
    apply: (abort: AbortSignal) => Promise<TerraformRun>,
  ): Promise<boolean> {
    const controller = new AbortController();
    let running = true;
    const watch = async () => {
      while (running && hooks.trouble) {
        const trouble = await hooks.trouble(stack.name);
        if (trouble && running) {
          this.troubled.add(stack.name);
          this.print(stack.name, `${trouble}; stopping its apply (Terraform saves its state).`);
          controller.abort();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    const watching = watch();
    try {
      return (await apply(controller.signal)).status === 0 && !controller.signal.aborted;
    } finally {
      running = false;
      await watching;
    }
  }

  /** What `stack` declares, is missing from its state, and exists: to be imported. */
  private async adoptable(
    stack: SynthesizedStack,
    hooks: Pick<DeployHooks, "existing">,
  ): Promise<{ address: string; id: string; name: string }[]> {
    const declared = declaredAdoptable(stack.dir);
    if (declared.length === 0) return [];
    const inState = await this.addressesInState(stack);
    const missing = declared.filter((c) => !inState.has(c.address));
    const found = await Promise.all(missing.map(async (c) => ({ ...c, id: await hooks.existing(c.type, c.name) })));
    return found.filter((f): f is typeof f & { id: string } => f.id !== undefined);
  }

  private async addressesInState(stack: SynthesizedStack): Promise<Set<string>> {
    if (stack.statePath) return addressesInStateFile(stack.statePath);
    const list = await this.terraform(stack, "plan", ["state", "list"], { quiet: true });
    return new Set(
      list.status === 0
        ? list.output
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => /^[a-z]/.test(l))
        : [],
    );
  }

  private writeImports(stack: SynthesizedStack, found: readonly { address: string; id: string; name: string }[]): void {
    const path = join(stack.dir, IMPORT_FILE);
    if (found.length === 0) {
      rmSync(path, { force: true });
      return;
    }
    this.print(
      stack.name,
      `adopting ${found.map((f) => f.name).join(", ")}: they exist but the state does not know them (lost or never saved); importing them instead of creating them again (a container may then be replaced: it holds no data, its volume does)`,
    );
    writeFileSync(path, importBlocks(found));
  }

  private lockTimeout(): string {
    return `-lock-timeout=${this.options.lockTimeoutSeconds ?? 60}s`;
  }

  /**
   * After a failed command: when another run held the state's lock, one line
   * that says who and since when (Terraform's lock info, which holds no
   * secret), and that this stack was left as it was.
   */
  private explainLock(stack: SynthesizedStack): void {
    const output = this.lastOutput.get(stack.name) ?? [];
    if (!output.some((line) => /Error acquiring the state lock/.test(line))) return;
    const info = (field: string) =>
      output.map((line) => new RegExp(`^\\s*${field}:\\s*(.*)$`).exec(line)?.[1]).find(Boolean);
    if (this.locked.includes(stack.name)) return;
    this.locked.push(stack.name);
    this.print(
      stack.name,
      `state is locked by another run (${info("Who") ?? "unknown"}, ${info("Operation") ?? "unknown operation"}, since ${info("Created") ?? "unknown"}); ` +
        `waited ${this.options.lockTimeoutSeconds ?? 60} s (STATE_LOCK_TIMEOUT) and changed nothing. Deploy again when it has finished.`,
    );
  }

  private showLastOutput(stack: SynthesizedStack): void {
    for (const line of this.lastOutput.get(stack.name) ?? []) if (line.trim()) this.print(stack.name, line);
  }

  /** Prints a line for a stack, prefixed as Terraform's own lines are. */
  print(stack: string, line: string): void {
    console.log(`${stack.padEnd(this.width)}  ${line}`);
  }

  /** Runs Terraform in a stack through the one runner, its output prefixed with the stack (unless `quiet`). */
  private async terraform(
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
        if (!options.quiet && line.trim()) this.print(stack.name, line);
      },
    });
    if (run.timedOut) {
      output.push(run.output.split("\n").at(-1)!);
      this.print(
        stack.name,
        `terraform ${args[0]} did not finish within ${this.options.deadlineSeconds} s (TERRAFORM_TIMEOUT) and was stopped; Terraform saved its state.`,
      );
    } else if (run.status === 127) {
      this.print(stack.name, run.output.split("\n").at(-1)!);
    }
    this.timings.push({ stack: stack.name, step, seconds: run.seconds, slowResources });
    // A failed quiet plan (a broker that is down, say) is not an error here: the deploy then applies.
    if (run.status !== 0) this.explainLock(stack);
    return run;
  }
}

/** A Terraform command failed in a way that stops the run. */
export class StackFailure extends CommandError {
  override name = "StackFailure";
}

/**
 * A local state file that is not JSON (cut short by a full disk, a crash, an
 * edit) stops the run before anything changes, naming the file and the two
 * ways back. An empty one is no state, as Terraform reads it.
 */
function checkStateFile(stack: SynthesizedStack): void {
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
