/**
 * What the stack runner reports as it goes, as data: the command that runs
 * it decides how to say it (commands/support/run-printer.ts prints each as
 * cdktf would, prefixed with its stack). The runner prints nothing itself.
 */
export type RunEvent =
  /** A line of Terraform's own output (or one replayed to explain a failure). */
  | { readonly kind: "output"; readonly stack: string; readonly line: string }
  /** A Terraform command passed TERRAFORM_TIMEOUT and was stopped. */
  | { readonly kind: "timed-out"; readonly stack: string; readonly command: string; readonly deadlineSeconds: number }
  /** Terraform could not be started at all. */
  | { readonly kind: "not-started"; readonly stack: string; readonly why: string }
  /** Another run holds the stack's state lock: this stack was left as it was. */
  | {
      readonly kind: "locked";
      readonly stack: string;
      readonly who: string;
      readonly operation: string;
      readonly since: string;
      readonly waitedSeconds: number;
    }
  /** Objects that exist but are missing from the state are imported rather than created again. */
  | { readonly kind: "adopting"; readonly stack: string; readonly names: readonly string[] }
  /** A network or volume whose creation was cut short exists as recorded: untainted rather than replaced. */
  | { readonly kind: "untainting"; readonly stack: string; readonly address: string; readonly name: string }
  /** What the stack provides is usable before its apply ends: its dependants start. */
  | { readonly kind: "usable-early"; readonly stack: string }
  /** The stack was not run: interrupted, or a stack it waits for failed. */
  | {
      readonly kind: "skipped";
      readonly stack: string;
      readonly action: "apply" | "destroy";
      readonly why: "interrupted" | "a stack it waits for failed";
    }
  /** Its plan, made only once its service was up, was refused by the review. */
  | { readonly kind: "refused-late"; readonly stack: string }
  /** Its service broke while it was applied: the apply was stopped (Terraform saves its state). */
  | { readonly kind: "broke"; readonly stack: string; readonly trouble: string }
  /** The stack failed, with the reason in words. */
  | { readonly kind: "failed"; readonly stack: string; readonly message: string }
  /** Every stack's plan was empty. */
  | { readonly kind: "nothing-to-do" }
  /** Processes a killed run left behind, being ended before anything starts. */
  | { readonly kind: "leftovers"; readonly line: string };

export type RunReporter = (event: RunEvent) => void;
