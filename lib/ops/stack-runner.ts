import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { readSynthesizedStacks, terraformBinary, type SynthesizedStack } from "./terraform-stacks";
import { CommandError } from "../errors";
import { docker } from "./docker-cli";
import { PROJECT_LABEL } from "../names";

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
}

/** "Creation complete after 12s [id=…]" and the like: Terraform's own measure of a resource. */
const COMPLETE = /^(\S+?)(?: \([^)]*\))?: (?:Creation|Modifications|Destruction) complete after (?:(\d+)m)?(\d+)s/;

/**
 * Runs the synthesized stacks with Terraform itself, as `cdktf deploy` and
 * `cdktf destroy` do, minus their fixed costs: `terraform init` only where a
 * stack was never initialized or its providers changed, all at once, each
 * stack as soon as the stacks it depends on are done, and
 * output prefixed with the stack as cdktf prints it. Ctrl-C reaches Terraform
 * from the terminal; this waits for it to stop and save its state.
 */
export class StackRunner {
  private readonly stacks: SynthesizedStack[];
  private readonly width: number;
  private interrupted = false;
  readonly timings: StepTiming[] = [];
  /** Each stack's output of its last Terraform command, to explain a failure. */
  private readonly lastOutput = new Map<string, string[]>();
  /** Stacks that failed because another run held their state's lock. */
  readonly locked: string[] = [];

  /**
   * @param lockTimeoutSeconds how long plan, apply and destroy wait for
   *   another run's lock on a stack's state (a file lock, or PostgreSQL's
   *   with the pg backend) before they give up without changing it.
   */
  constructor(
    outdir: string,
    private readonly env: Env,
    private readonly lockTimeoutSeconds = 60,
  ) {
    this.stacks = readSynthesizedStacks(outdir);
    this.width = Math.max(...this.stacks.map((s) => s.name.length));
  }

  /**
   * After Ctrl-C: the running Terraform processes got it from the terminal
   * and are stopping; no further stack is started.
   */
  interrupt(): void {
    this.interrupted = true;
  }

  /** Creates or repairs every stack, in dependency order. */
  async deploy(): Promise<RunResult> {
    await this.initialize(this.stacks);
    if (await this.nothingToDo()) {
      console.log("deploy: every stack is as declared; nothing to do.");
      return { failed: [], timings: this.timings };
    }
    return this.walk(this.stacks, (s) => s.dependencies, "apply");
  }

  /** Destroys the named stacks, dependants first; stacks outside the set are left alone. */
  async destroy(names: readonly string[]): Promise<RunResult> {
    const selected = this.stacks.filter((s) => names.includes(s.name));
    await this.initialize(selected);
    // Reverse order: a stack waits for the selected stacks that depend on it.
    const dependants = (stack: SynthesizedStack) => selected.filter((s) => s.dependencies.includes(stack.name)).map((s) => s.name);
    return this.walk(selected, dependants, "destroy");
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
    const waves = this.env.TF_PLUGIN_CACHE_DIR ? needed.map((s) => [s]) : pg ? [needed.slice(0, 1), needed.slice(1)] : [needed];
    for (const wave of waves) {
      const results = await Promise.all(wave.map((s) => this.terraform(s, "init", ["init", "-input=false"])));
      const failed = wave.filter((_, i) => !results[i]);
      const moved = failed.filter((s) => this.lastOutput.get(s.name)?.some((line) => /Backend configuration changed/.test(line)));
      if (moved.length > 0) {
        throw new StackFailure(
          `the state backend of ${moved.map((s) => s.name).join(", ")} changed (STATE_BACKEND), and Terraform keeps the state where it was; nothing was changed. ` +
            `To move the state, run ${moved.map((s) => `\`terraform -chdir=${relative(process.cwd(), s.dir)} init -migrate-state\``).join(" and ")} ` +
            "(it asks before copying), then deploy again; or set STATE_BACKEND back.",
        );
      }
      if (failed.length > 0) throw new StackFailure(`terraform init failed in ${failed.map((s) => s.name).join(", ")}; see above`);
      for (const stack of wave) writeFileSync(providersStamp(stack), initStamp(stack));
    }
  }

  /**
   * Whether every stack plans no change. Only worth asking when every stack
   * has resources in its state: a cold deploy or a start after a stop would
   * pay for six plans just to learn that there is work to do.
   */
  private async nothingToDo(): Promise<boolean> {
    if (!this.stacks.every((s) => stateHasResources(s))) return false;
    const codes = await Promise.all(
      this.stacks.map((s) => this.terraform(s, "plan", ["plan", "-input=false", "-detailed-exitcode", this.lockTimeout()], { quiet: true, exitCodes: true })),
    );
    return codes.every((code) => code === 0);
  }

  /** Runs `action` on every stack once `waitFor(stack)` are done; skips what depends on a failure. */
  private async walk(
    stacks: readonly SynthesizedStack[],
    waitFor: (s: SynthesizedStack) => readonly string[],
    action: "apply" | "destroy",
  ): Promise<RunResult> {
    const done = new Map<string, Promise<boolean>>();
    const run = (stack: SynthesizedStack): Promise<boolean> => {
      if (!done.has(stack.name)) {
        const before = waitFor(stack).map((name) => run(stacks.find((s) => s.name === name)!));
        done.set(
          stack.name,
          Promise.all(before).then(async (oks) => {
            if (!oks.every(Boolean) || this.interrupted) {
              const why = this.interrupted ? "interrupted" : "a stack it waits for failed";
              this.print(stack.name, `not ${action === "apply" ? "deployed" : "destroyed"}: ${why}`);
              return false;
            }
            // Destroying needs no fresh read first: the provider takes a container
            // that is already gone as removed.
            const refresh = action === "destroy" ? ["-refresh=false"] : [];
            const args = [action, "-auto-approve", "-input=false", this.lockTimeout(), ...refresh];
            const ok = await this.terraform(stack, action, args);
            if (ok || action !== "apply" || this.interrupted || !this.removeLeftoverContainers(stack)) return ok;
            return this.terraform(stack, action, args);
          }),
        );
      }
      return done.get(stack.name)!;
    };
    const results = await Promise.all(stacks.map(run));
    return { failed: stacks.filter((_, i) => !results[i]).map((s) => s.name), timings: this.timings };
  }

  /**
   * A deploy stopped with Ctrl-C at the moment Docker had created a container
   * but before Terraform recorded it leaves a container its state does not
   * know, and the next apply fails on the name ("already in use"). When every
   * such container is the project's own (its label), it is removed and the
   * stack applied once more: a container holds no data, the named volumes
   * do, and they stay. True when something was removed.
   */
  private removeLeftoverContainers(stack: SynthesizedStack): boolean {
    const names = leftoverContainers(this.lastOutput.get(stack.name) ?? []);
    const ours = (name: string) =>
      docker(["inspect", "--format", `{{index .Config.Labels "${PROJECT_LABEL.label}"}}`, name], { allowFailure: true }) === PROJECT_LABEL.value;
    if (names.length === 0 || !names.every(ours)) return false;
    this.print(stack.name, `removing ${names.join(", ")}: left by an interrupted deploy and unknown to Terraform's state (the data volumes stay); applying again`);
    docker(["rm", "--force", ...names]);
    return true;
  }

  private lockTimeout(): string {
    return `-lock-timeout=${this.lockTimeoutSeconds}s`;
  }

  /**
   * After a failed command: when another run held the state's lock, one line
   * that says who and since when (Terraform's lock info, which holds no
   * secret), and that this stack was left as it was.
   */
  private explainLock(stack: SynthesizedStack): void {
    const output = this.lastOutput.get(stack.name) ?? [];
    if (!output.some((line) => /Error acquiring the state lock/.test(line))) return;
    const info = (field: string) => output.map((line) => new RegExp(`^\\s*${field}:\\s*(.*)$`).exec(line)?.[1]).find(Boolean);
    this.locked.push(stack.name);
    this.print(
      stack.name,
      `state is locked by another run (${info("Who") ?? "unknown"}, ${info("Operation") ?? "unknown operation"}, since ${info("Created") ?? "unknown"}); ` +
        `waited ${this.lockTimeoutSeconds} s (STATE_LOCK_TIMEOUT) and changed nothing. Deploy again when it has finished.`,
    );
  }

  private print(stack: string, line: string): void {
    console.log(`${stack.padEnd(this.width)}  ${line}`);
  }

  /**
   * Runs Terraform in a stack, its output prefixed with the stack (or not
   * shown at all when `quiet`). Resolves true on success, or with the exit
   * code when `exitCodes` is set.
   */
  private terraform(stack: SynthesizedStack, step: StepTiming["step"], args: string[], options: { quiet: true; exitCodes: true }): Promise<number>;
  private terraform(stack: SynthesizedStack, step: StepTiming["step"], args: string[]): Promise<boolean>;
  private terraform(
    stack: SynthesizedStack,
    step: StepTiming["step"],
    args: string[],
    options: { quiet?: boolean; exitCodes?: boolean } = {},
  ): Promise<boolean | number> {
    const started = Date.now();
    const slowResources: Record<string, number> = {};
    return new Promise((resolve, reject) => {
      const child = spawn(terraformBinary(this.env), [...args, "-no-color"], {
        cwd: stack.dir,
        env: { ...this.env, TF_IN_AUTOMATION: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output: string[] = [];
      this.lastOutput.set(stack.name, output);
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          output.push(line);
          const complete = COMPLETE.exec(line);
          if (complete) slowResources[complete[1]] = Number(complete[2] ?? 0) * 60 + Number(complete[3]);
          if (!options.quiet && line.trim()) this.print(stack.name, line);
        });
      }
      child.once("error", reject);
      child.once("close", (code) => {
        this.timings.push({ stack: stack.name, step, seconds: (Date.now() - started) / 1000, slowResources });
        // A failed quiet plan (a broker that is down, say) is not an error here: the deploy then applies.
        if (code !== 0) this.explainLock(stack);
        if (options.exitCodes) resolve(code ?? 1);
        else resolve(code === 0);
      });
    });
  }
}

/** Containers an apply could not create because a container of that name exists: Docker's "Conflict" error. */
export function leftoverContainers(output: readonly string[]): string[] {
  const names = output.map((line) => /The container name "\/([^"]+)" is already in use by container/.exec(line)?.[1]).filter((n): n is string => Boolean(n));
  return [...new Set(names)];
}

/** A Terraform command failed in a way that stops the run. */
export class StackFailure extends CommandError {
  override name = "StackFailure";
}

function providersStamp(stack: SynthesizedStack): string {
  return join(stack.dir, ".terraform", "chatbattle-providers.json");
}

/**
 * Initialized, with the providers it requires now: then init has nothing to
 * do. A stack without providers (the schema step) gets no lock file.
 */
function isInitialized(stack: SynthesizedStack): boolean {
  const locked = Object.keys(stack.requiredProviders).length === 0 || existsSync(join(stack.dir, ".terraform.lock.hcl"));
  return locked && existsSync(providersStamp(stack)) && readFileSync(providersStamp(stack), "utf8") === initStamp(stack);
}

/** What `terraform init` set up: the providers and the backend (another backend needs init again). */
function initStamp(stack: SynthesizedStack): string {
  return JSON.stringify({ providers: stack.requiredProviders, backend: stack.backend });
}

/** Whether the stack's state (at the path its backend names) holds any resource. */
function stateHasResources(stack: SynthesizedStack): boolean {
  if (!stack.statePath || !existsSync(stack.statePath)) return false;
  try {
    return JSON.parse(readFileSync(stack.statePath, "utf8")).resources?.length > 0;
  } catch {
    return false;
  }
}
