import { requireSuccess, startCommand, type CommandResult, type RunningCommand } from "../../test-support/command";

export type { CommandResult as StepResult } from "../../test-support/command";

/**
 * Runs the user's commands for the end-to-end test, each in a process group of
 * its own with a deadline: a command that passes it is stopped (the whole
 * group) and the step fails with the last lines it printed, so no step can
 * hang the suite. Keeps each step's time for the closing table.
 */
export class Steps {
  constructor(
    private readonly cwd: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    readonly timings: { step: string; seconds: number }[] = [],
    /** What each command printed, in order: a test can check that no secret was ever shown. */
    readonly outputs: string[] = [],
  ) {}

  /** The same steps (one timings table) with some settings changed, as a user's `SETTING=value npm run …`. */
  withEnv(settings: Readonly<Record<string, string>>): Steps {
    return new Steps(this.cwd, { ...this.env, ...settings }, this.timings, this.outputs);
  }

  start(command: readonly string[], deadlineSeconds: number): RunningCommand {
    return startCommand(command, { cwd: this.cwd, env: this.env, deadlineSeconds });
  }

  /** Runs a command to its end and records its time under `step`. */
  async run(step: string, command: readonly string[], deadlineSeconds: number): Promise<CommandResult> {
    const result = await this.start(command, deadlineSeconds).done;
    this.timings.push({ step, seconds: result.seconds });
    this.outputs.push(result.output);
    return result;
  }

  /** Like run, but the step fails, with the last output lines, unless the command exits 0. */
  async succeed(step: string, command: readonly string[], deadlineSeconds: number): Promise<CommandResult> {
    return requireSuccess(command, await this.run(step, command, deadlineSeconds));
  }

  /**
   * Runs a command again every 2 s until its output matches `wanted` or
   * `withinSeconds` pass; the last result either way. For a state the
   * services reach by themselves, such as a stopped broker leaving the
   * in-sync replicas.
   */
  async runUntil(
    step: string,
    command: readonly string[],
    deadlineSeconds: number,
    wanted: RegExp,
    withinSeconds: number,
  ): Promise<CommandResult> {
    const until = Date.now() + withinSeconds * 1000;
    let result = await this.run(step, command, deadlineSeconds);
    while (!wanted.test(result.output) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      result = await this.run(step, command, deadlineSeconds);
    }
    return result;
  }

  /** The timings as a Markdown table. */
  table(): string {
    return [
      "| step | time |",
      "|---|---|",
      ...this.timings.map((t) => `| ${t.step} | ${t.seconds.toFixed(1)} s |`),
    ].join("\n");
  }
}
