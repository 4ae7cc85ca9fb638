/**
 * Runs the synthesized stacks with Terraform itself, as `cdktf deploy` and
 * `cdktf destroy` do, minus their fixed costs, by putting its policies
 * together: the scheduler (dependency order, early starts), the per-stack
 * Terraform (init where needed, saved plans, applies, each with a deadline
 * and Ctrl-C), the plan guard (nothing applied that was not reviewed) and
 * adoption (what exists and the state does not know is imported). It
 * reports through events; the command prints them.
 *
 * Every apply is of a saved plan that the hooks reviewed (the data-loss
 * gate), whatever the stack's state holds, lost or empty state and
 * adoption included: every stack whose service answers is planned first,
 * and all those plans are reviewed at once before anything is applied; a
 * stack whose service is not up yet (a start after stop) is planned and
 * reviewed the same way just before it is applied. One kind of stack has
 * nothing to review: one whose state records nothing, which declares only
 * objects the adoption looks for by name (and images), none of which
 * exists. Its apply can only create; it is applied as declared (a first
 * deploy, where a saved plan would cost one more Terraform and provider
 * start per stack before the first container).
 */
import { join } from "node:path";
import { readSynthesizedStacks, type SynthesizedStack } from "./synthesized-stacks";
import { terraformBinary } from "./terraform";
import { stopLeftoverTerraform } from "./leftover-terraform";
import { adoptable, declaresOnlyCreatable, finishedCreations, writeImports, type AdoptableType } from "./adoption";
import { checkStateFile, StackTerraform, type SavedPlan, type StepTiming } from "./stack-terraform";
import { PlanGuard, type Review, type ReviewMoment } from "./plan-guard";
import { runInOrder, seenUsable } from "./scheduler";
import type { RunReporter } from "./run-events";
import type { Interrupts } from "../../process/interrupts";
import type { PlannedChange } from "../../gate/planned-change";
import { CommandError } from "../../errors";

export type { StepTiming } from "./stack-terraform";
export { StackFailure } from "./stack-terraform";
export type { Review, ReviewMoment } from "./plan-guard";

type Env = Readonly<Record<string, string | undefined>>;

/** How a run went: per-stack failures and the time each Terraform command took. */
export interface RunResult {
  readonly failed: readonly string[];
  readonly timings: readonly StepTiming[];
  /** Stacks whose plan the review refused: not applied. */
  readonly refused: readonly string[];
  /** Whether the refusal came before any stack was applied (else only the refused stacks and their dependants were left). */
  readonly refusedBeforeApplying: boolean;
}

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
   * the engine has it, while the provider waits its fixed 2 s). Asked every
   * 100 ms until it says yes or the apply ends. Optional: without it, or for
   * stacks it does not know (false), dependants wait for the apply.
   */
  usableEarly?(stack: string): Promise<boolean>;
  /**
   * Asked every second while `stack` is applied: a message when the service
   * it talks to has broken meanwhile (unhealthy, dead, restarting again and
   * again). The runner then stops that apply, which saves its state, and
   * reports the message. Optional; undefined means all is well.
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
   * Whether everything `stack`'s state records exists as recorded and cannot
   * have changed in place (a network with the recorded id). Such a stack is
   * planned against its recorded state first (Terraform's -refresh=false):
   * the Docker provider waits a fixed 2 s when it reads a network, and every
   * deploy that plans waited for that before anything was applied. That plan
   * is kept only when it changes nothing; one that changes something may
   * come from what the state lacks (a creation cut short records less than
   * the object has), so the stack is planned again with a refresh. Optional:
   * undefined or false, and the stack is planned with a refresh.
   */
  recordedAsLive?(stack: string): Promise<boolean>;
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
  /** Told what happens, as it happens. */
  readonly report: RunReporter;
}

export class StackRunner {
  readonly stacks: readonly SynthesizedStack[];
  private readonly terraform: StackTerraform;
  /** Stacks whose apply was stopped because their service broke (see DeployHooks.trouble). */
  private readonly troubled = new Set<string>();

  constructor(
    private readonly outdir: string,
    private readonly options: StackRunnerOptions,
  ) {
    this.stacks = readSynthesizedStacks(outdir);
    this.terraform = new StackTerraform(options);
  }

  /** The time each Terraform command took, in the order they ended. */
  get timings(): readonly StepTiming[] {
    return this.terraform.timings;
  }

  /** Stacks that failed because another run held their state's lock. */
  get locked(): readonly string[] {
    return this.terraform.locked;
  }

  private get interrupted(): boolean {
    return this.options.interrupts?.interrupted ?? false;
  }

  /** Creates or repairs every stack, in dependency order, guarding the data. */
  async deploy(hooks: DeployHooks): Promise<RunResult> {
    await this.prepare(this.stacks);
    const guard = new PlanGuard((changes, moment) => hooks.review(changes, moment));
    try {
      await this.untaintFinished(hooks);
      const { planned, creating } = await this.planWhatAnswers(hooks);
      if (!(await guard.upFront(planned))) return { ...this.result([], guard), refusedBeforeApplying: true };
      for (const stack of creating) guard.allowCreating(stack);
      if (this.stacks.every((s) => planned.get(s.name)?.applies === false)) {
        this.options.report({ kind: "nothing-to-do" });
        return this.result([], guard);
      }
      const failed = await runInOrder({
        stacks: this.stacks.map((s) => s.name),
        waitFor: (name) => this.stack(name).dependencies,
        run: (name) => this.failSafely(name, () => this.apply(this.stack(name), hooks, guard)),
        // A stack whose reviewed plan changes nothing is there at once: nothing to watch for.
        usableEarly: (name, ran) =>
          hooks.usableEarly && guard.applies(name) !== false ? this.watchUsable(name, ran, hooks) : undefined,
        interrupted: () => this.interrupted,
        skipped: (stack, why) => this.options.report({ kind: "skipped", stack, action: "apply", why }),
      });
      return this.result(failed, guard);
    } finally {
      this.terraform.removePlanFiles(this.stacks);
    }
  }

  /**
   * Plans every stack without applying anything, as `npm run plan` shows it:
   * against the live objects where the stack's service answers, else against
   * its recorded state only (Terraform's -refresh=false), which needs no
   * service. Nothing is changed; adoption is planned as a deploy would do it.
   */
  async plan(hooks: Pick<DeployHooks, "ready" | "existing">): Promise<StackPlanResult[]> {
    await this.prepare(this.stacks);
    try {
      return await Promise.all(
        this.stacks.map(async (stack): Promise<StackPlanResult> => {
          const live = await hooks.ready(stack.name, false);
          const planned = await this.planAdopting(stack, hooks, { refresh: live, readWhole: true });
          if (!planned)
            return { stack: stack.name, how: "failed", changes: [], output: this.terraform.lastLines(stack.name, 12) };
          return { stack: stack.name, how: live ? "fresh" : "recorded", changes: planned.changes };
        }),
      );
    } finally {
      this.terraform.removePlanFiles(this.stacks);
    }
  }

  /** Destroys the named stacks, dependants first; stacks outside the set are left alone. */
  async destroy(names: readonly string[]): Promise<RunResult> {
    const selected = this.stacks.filter((s) => names.includes(s.name));
    await this.prepare(selected);
    const failed = await runInOrder({
      stacks: selected.map((s) => s.name),
      // Reverse order: a stack waits for the selected stacks that depend on it.
      waitFor: (name) => selected.filter((s) => s.dependencies.includes(name)).map((s) => s.name),
      run: (name) => this.failSafely(name, () => this.terraform.destroy(this.stack(name))),
      interrupted: () => this.interrupted,
      skipped: (stack, why) => this.options.report({ kind: "skipped", stack, action: "destroy", why }),
    });
    return { failed, timings: this.timings, refused: [], refusedBeforeApplying: false };
  }

  private stack(name: string): SynthesizedStack {
    return this.stacks.find((s) => s.name === name)!;
  }

  private result(failed: readonly string[], guard: PlanGuard): RunResult {
    return { failed, timings: this.timings, refused: guard.refused, refusedBeforeApplying: false };
  }

  /** Damaged state stops everything first; Terraform left by a killed run is stopped; then init where needed. */
  private async prepare(stacks: readonly SynthesizedStack[]): Promise<void> {
    for (const stack of stacks) checkStateFile(stack);
    await stopLeftoverTerraform(join(this.outdir, "stacks"), terraformBinary(this.options.env), (line) =>
      this.options.report({ kind: "leftovers", line }),
    );
    await this.terraform.initialize(stacks);
  }

  /** A CommandError on the way (a service that never came, a drain that failed) fails that stack, said, not the run. */
  private async failSafely(stack: string, run: () => Promise<boolean>): Promise<boolean> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      this.options.report({ kind: "failed", stack, message: error.message });
      return false;
    }
  }

  /** Networks and volumes whose creation was cut short, but which exist as recorded: untainted, not replaced. */
  private async untaintFinished(hooks: DeployHooks): Promise<void> {
    if (!hooks.createdAsRecorded) return;
    for (const stack of this.stacks) {
      for (const resource of await finishedCreations(stack, hooks.createdAsRecorded)) {
        this.options.report({ kind: "untainting", stack: stack.name, ...resource });
        await this.terraform.untaint(stack, resource.address);
      }
    }
  }

  /**
   * Before anything is applied: a saved plan of every stack whose service
   * answers now (one that fails is planned again later), but for those that
   * can only create, which need none.
   */
  private async planWhatAnswers(
    hooks: DeployHooks,
  ): Promise<{ planned: Map<string, SavedPlan>; creating: readonly string[] }> {
    const plans = await Promise.all(
      this.stacks.map(async (stack): Promise<SavedPlan | "creates only" | undefined> => {
        if (!(await hooks.ready(stack.name, false))) return undefined;
        if ((await this.adopt(stack, hooks)).onlyCreates) return "creates only";
        if (await hooks.recordedAsLive?.(stack.name)) {
          const byRecord = await this.terraform.plan(stack, { refresh: false });
          if (byRecord && !byRecord.applies) return byRecord;
        }
        return this.terraform.plan(stack, { refresh: true });
      }),
    );
    // In the stacks' order, whatever order the plans ended in.
    return {
      planned: new Map(
        this.stacks.flatMap((stack, i) => {
          const plan = plans[i];
          return plan && plan !== "creates only" ? [[stack.name, plan] as const] : [];
        }),
      ),
      creating: this.stacks.filter((_, i) => plans[i] === "creates only").map((s) => s.name),
    };
  }

  /** Plans `stack` into its saved plan, importing what exists and its state does not know. */
  private async planAdopting(
    stack: SynthesizedStack,
    hooks: Pick<DeployHooks, "existing">,
    options: { refresh: boolean; readWhole?: boolean },
  ): Promise<SavedPlan | undefined> {
    await this.adopt(stack, hooks);
    return this.terraform.plan(stack, options);
  }

  /**
   * Writes the import blocks for what `stack` declares, its state lacks and
   * exists: how many there were, and whether the stack can only create (its
   * state records nothing, and nothing it declares exists; see
   * declaresOnlyCreatable).
   */
  private async adopt(
    stack: SynthesizedStack,
    hooks: Pick<DeployHooks, "existing">,
  ): Promise<{ readonly adopting: number; readonly onlyCreates: boolean }> {
    let recorded: Promise<ReadonlySet<string>> | undefined;
    const inState = () => (recorded ??= this.terraform.stateAddresses(stack));
    const found = await adoptable(stack, inState, (type, name) => hooks.existing(type, name));
    if (found.length > 0) this.options.report({ kind: "adopting", stack: stack.name, names: found.map((f) => f.name) });
    writeImports(stack, found);
    const onlyCreates = found.length === 0 && declaresOnlyCreatable(stack.dir) && (await inState()).size === 0;
    return { adopting: found.length, onlyCreates };
  }

  /** Resolves true once the hooks see `stack` usable while its apply runs; never when the apply ends first. */
  private watchUsable(stack: string, ran: Promise<boolean>, hooks: DeployHooks): Promise<boolean> {
    return seenUsable(
      () => hooks.usableEarly!(stack),
      ran,
      () => this.interrupted,
    ).then((usable) => {
      this.options.report({ kind: "usable-early", stack });
      return usable;
    });
  }

  /**
   * Applies one stack once its service is ready: the saved plan the review
   * allowed, planning and reviewing it first when it was not planned before
   * (or was planned before a stack whose outputs it reads changed); a stack
   * that only creates, as declared.
   */
  private async apply(stack: SynthesizedStack, hooks: DeployHooks, guard: PlanGuard): Promise<boolean> {
    // Its state was locked when it was planned: that was said, and waited for, once.
    if (this.locked.includes(stack.name)) return false;
    await hooks.ready(stack.name, true);
    if (this.interrupted) return false;
    if (!guard.hasCurrentPlan(stack) && !(await this.planLate(stack, hooks, guard))) return false;
    // A plan the review read as empty: applying it would only start Terraform to do nothing.
    if (!guard.applies(stack.name)) return true;
    await hooks.beforeApply?.(stack.name);
    const applied = await this.applySaved(stack, hooks, guard);
    if (applied || this.interrupted || this.troubled.has(stack.name)) return applied;
    // Something made it meanwhile (a Terraform of a killed run finishing its work, say):
    // when there is now something to adopt, plan again adopting it, review that, and apply it.
    guard.forget(stack.name);
    if (!(await this.planLate(stack, hooks, guard, { onlyIfAdopting: true }))) return false;
    return !guard.applies(stack.name) || this.applySaved(stack, hooks, guard);
  }

  /** Plans a stack just before its apply and has it reviewed; false when there was nothing new to adopt (if asked), or the plan failed or was refused. */
  private async planLate(
    stack: SynthesizedStack,
    hooks: DeployHooks,
    guard: PlanGuard,
    options: { onlyIfAdopting?: boolean } = {},
  ): Promise<boolean> {
    const { adopting, onlyCreates } = await this.adopt(stack, hooks);
    if (options.onlyIfAdopting && adopting === 0) return false;
    if (onlyCreates) {
      guard.allowCreating(stack.name);
      return true;
    }
    const plan = await this.terraform.plan(stack, { refresh: true });
    if (!plan) {
      // The plan failed: say why, as an apply would have (a lock was explained already).
      if (!this.locked.includes(stack.name)) this.terraform.replayOutput(stack);
      return false;
    }
    if (await guard.late(stack.name, plan)) return true;
    this.options.report({ kind: "refused-late", stack: stack.name });
    return false;
  }

  /**
   * Applies the stack (its saved plan, or as declared when it only creates)
   * while asking the hooks every second whether its service broke; if so,
   * stops the apply (it saves its state).
   */
  private async applySaved(stack: SynthesizedStack, hooks: DeployHooks, guard: PlanGuard): Promise<boolean> {
    const controller = new AbortController();
    let running = true;
    // The pause between two questions ends early when the apply does: the stack is done then, not up to a second later.
    let wake = () => undefined as void;
    const pause = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const watch = async () => {
      while (running && hooks.trouble) {
        const trouble = await hooks.trouble(stack.name);
        if (trouble && running) {
          this.troubled.add(stack.name);
          this.options.report({ kind: "broke", stack: stack.name, trouble });
          controller.abort();
          return;
        }
        if (running) await pause();
      }
    };
    const watching = watch();
    try {
      const from = guard.onlyCreates(stack.name) ? "declaration" : "saved plan";
      const applied =
        (await this.terraform.apply(stack, guard.applyEnv, controller.signal, from)) && !controller.signal.aborted;
      if (applied) guard.applied(stack.name);
      return applied;
    } finally {
      running = false;
      wake();
      await watching;
    }
  }
}
