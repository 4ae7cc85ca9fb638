/**
 * The order stacks run in, and nothing else: each as soon as the stacks it
 * waits for are done (the two branches of the local stack side by side), or
 * earlier when one of them is seen usable before its own run ends (the
 * network, once the engine has it). What waits for a failure is skipped,
 * and nothing new starts after an interrupt. Knows no Terraform.
 */

export interface Schedule {
  /** Every stack to run. */
  readonly stacks: readonly string[];
  /** The stacks `stack` must wait for. */
  waitFor(stack: string): readonly string[];
  /** Runs one stack; resolves whether it succeeded. */
  run(stack: string): Promise<boolean>;
  /**
   * Resolves true once `stack` can be used by those that wait for it, while
   * its run goes on; never resolves when it cannot be told (then they wait
   * for the run). Undefined: they always wait for the run.
   */
  usableEarly?(stack: string, run: Promise<boolean>): Promise<boolean> | undefined;
  /** Whether an interrupt came: nothing new starts. */
  interrupted(): boolean;
  /** Told of a stack that was not run, and why. */
  skipped(stack: string, why: "interrupted" | "a stack it waits for failed"): void;
}

/** Runs every stack of the schedule in order; resolves the stacks that failed or were skipped. */
export async function runInOrder(schedule: Schedule): Promise<string[]> {
  const done = new Map<string, Promise<boolean>>();
  const early = new Map<string, Promise<boolean>>();
  // A stack is there for those that wait for it when its run succeeded, or earlier when it is seen usable.
  const available = (stack: string): Promise<boolean> => {
    const ran = run(stack);
    if (!early.has(stack)) {
      const seen = schedule.usableEarly?.(stack, ran);
      early.set(stack, seen ? Promise.race([ran, seen]) : ran);
    }
    return early.get(stack)!;
  };
  const run = (stack: string): Promise<boolean> => {
    if (!done.has(stack)) {
      done.set(
        stack,
        Promise.all(schedule.waitFor(stack).map(available)).then(async (oks) => {
          if (!oks.every(Boolean) || schedule.interrupted()) {
            schedule.skipped(stack, schedule.interrupted() ? "interrupted" : "a stack it waits for failed");
            return false;
          }
          return schedule.run(stack);
        }),
      );
    }
    return done.get(stack)!;
  };
  const results = await Promise.all(schedule.stacks.map(run));
  return schedule.stacks.filter((_, i) => !results[i]);
}

/**
 * Resolves true once `usable()` says yes, asked every `everyMs`; never
 * resolves when `ended` settles first or an interrupt comes (the run decides then).
 */
export async function seenUsable(
  usable: () => Promise<boolean>,
  ended: Promise<unknown>,
  interrupted: () => boolean,
  everyMs = 100,
): Promise<boolean> {
  let over = false;
  void ended.finally(() => (over = true));
  while (!over && !interrupted()) {
    if (await usable()) return !over || new Promise<boolean>(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return new Promise<boolean>(() => undefined);
}
