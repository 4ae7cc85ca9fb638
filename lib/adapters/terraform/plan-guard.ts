/**
 * The data-loss gate's side in the runner: nothing is applied that was not
 * reviewed, except a stack that can only create (its state records nothing,
 * and nothing it declares exists; see StackRunner), whose apply cannot
 * delete or change anything. It keeps, per stack, the saved plan the review
 * allowed and whether it changes anything, or that the stack only creates;
 * the stacks the review refused; what the
 * review asked every apply to get in its environment; and which stacks this
 * run changed, so that a stack reading their outputs, planned before they
 * changed, is planned and reviewed again.
 */
import type { PlannedChange } from "../../gate/planned-change";
import type { SynthesizedStack } from "./synthesized-stacks";
import type { SavedPlan } from "./stack-terraform";

/** What the review of planned changes decided. */
export interface Review {
  /** Whether the plans may be applied as they are. */
  readonly apply: boolean;
  /** Settings every apply from then on gets in its environment (the schema step's consent to the CQL it was shown). */
  readonly env?: Readonly<Record<string, string>>;
}

/** When a review happens: once for every stack planned before anything is applied, then once per stack planned only when its service came up. */
export type ReviewMoment = "before-anything" | "when-its-service-came-up";

export type Reviewer = (changes: readonly PlannedChange[], moment: ReviewMoment) => Promise<Review>;

export class PlanGuard {
  /** Stacks with a saved plan the review allowed, and whether that plan changes anything (or that only create). */
  private readonly allowed = new Map<string, boolean>();
  /** Stacks that can only create: applied as declared, without a saved plan. */
  private readonly creating = new Set<string>();
  /** Stacks whose plan the review refused. */
  readonly refused: string[] = [];
  /** Stacks this run applied a change to. */
  private readonly changed = new Set<string>();
  /** What the reviews asked every apply to get in its environment. */
  private env: Readonly<Record<string, string>> = {};

  constructor(private readonly review: Reviewer) {}

  /**
   * The plans made before anything is applied, reviewed at once. When the
   * review refuses, every stack with a change is refused and nothing is
   * applied; returns whether it allowed them.
   */
  async upFront(plans: ReadonlyMap<string, SavedPlan>): Promise<boolean> {
    const changes = [...plans.values()].flatMap((p) => p.changes);
    if (changes.length > 0 && !(await this.reviewed(changes, "before-anything"))) {
      this.refused.push(...[...plans].filter(([, p]) => p.changes.length > 0).map(([stack]) => stack));
      return false;
    }
    for (const [stack, plan] of plans) this.allowed.set(stack, plan.applies);
    return true;
  }

  /** A plan made just before its stack's apply (its service was not up before), reviewed alone; whether it was allowed. */
  async late(stack: string, plan: SavedPlan): Promise<boolean> {
    if (plan.changes.length > 0 && !(await this.reviewed(plan.changes, "when-its-service-came-up"))) {
      this.refused.push(stack);
      return false;
    }
    this.allowed.set(stack, plan.applies);
    return true;
  }

  /**
   * A stack whose state records nothing and of which nothing it declares
   * exists: its apply can only create, so there is nothing to review. It is
   * applied as declared, without a saved plan.
   */
  allowCreating(stack: string): void {
    this.allowed.set(stack, true);
    this.creating.add(stack);
  }

  /** Whether `stack` is applied as declared (see allowCreating) rather than by its saved plan. */
  onlyCreates(stack: string): boolean {
    return this.creating.has(stack);
  }

  /** Whether the stack has an allowed plan that is still good: planned, and not before a stack whose outputs it reads changed. */
  hasCurrentPlan(stack: SynthesizedStack): boolean {
    // A stack that only creates plans within its apply: it reads the outputs as they are then.
    if (this.creating.has(stack.name)) return true;
    if (stack.readsOtherStacks && stack.dependencies.some((d) => this.changed.has(d))) this.allowed.delete(stack.name);
    return this.allowed.has(stack.name);
  }

  /** Whether the allowed plan of `stack` changes anything; undefined when it has none. */
  applies(stack: string): boolean | undefined {
    return this.allowed.get(stack);
  }

  /** Forgets a stack's plan: it is planned and reviewed again before it is applied. */
  forget(stack: string): void {
    this.allowed.delete(stack);
    this.creating.delete(stack);
  }

  /** Records that this run changed `stack`. */
  applied(stack: string): void {
    this.changed.add(stack);
  }

  /** The environment every apply gets: what the reviews asked for. */
  get applyEnv(): Readonly<Record<string, string>> {
    return this.env;
  }

  private async reviewed(changes: readonly PlannedChange[], moment: ReviewMoment): Promise<boolean> {
    const review = await this.review(changes, moment);
    if (review.apply) this.env = { ...this.env, ...review.env };
    return review.apply;
  }
}
