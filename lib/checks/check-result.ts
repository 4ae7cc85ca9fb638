/** The outcome of one check (pre-flight's, on either target): a neutral module that every check imports. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What was found, or what is wrong and how to fix it. */
  readonly detail: string;
}
