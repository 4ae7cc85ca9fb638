/** One bad setting: the variable, the value it had and what is allowed. */
export interface ConfigProblem {
  readonly name: string;
  /** The value as given; undefined when the variable was unset and its default was used. */
  readonly value: string | undefined;
  /** The default, shown when the value was unset. */
  readonly defaultValue: string;
  readonly allowed: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads settings from the environment with the one rule the app and the
 * schema applier share: unset means the default; set but empty is a mistake
 * (a line of .env left half-edited), reported rather than read as the default.
 * Collects every problem, so that a user fixes them all in one go.
 */
export class SettingsReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /**
   * The value of `name`, trimmed; undefined when it is unset, or set but
   * empty (then a problem is recorded). `shownDefault` is what the problem
   * tells the user they get by removing the line.
   */
  get(name: string, shownDefault: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    if (value.trim() === "") {
      this.problem(
        name,
        `is set but empty; give it a value or remove it to use the default ${JSON.stringify(shownDefault)}`,
        shownDefault,
      );
      return undefined;
    }
    return value.trim();
  }

  /**
   * The value of `name` when it is one of `values`; otherwise a problem is
   * recorded and `fallback` (its default) stands in, so that the settings
   * that depend on it are still checked sensibly.
   */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.get(name, fallback) ?? fallback;
    if (values.includes(value as T)) return value as T;
    this.problem(name, `must be ${values.slice(0, -1).join(", ")} or ${values.at(-1)}`, fallback);
    return fallback;
  }

  /** Whether `name` is set to something (empty counts as unset). */
  isSet(name: string): boolean {
    return Boolean(this.env[name]?.trim());
  }

  problem(name: string, allowed: string, defaultValue = "", options: { hideValue?: boolean } = {}): void {
    // Never echo a secret, not even a wrong one.
    const value = options.hideValue && this.env[name] !== undefined ? "(hidden)" : this.env[name];
    this.problems.push({ name, value, defaultValue, allowed });
  }
}
