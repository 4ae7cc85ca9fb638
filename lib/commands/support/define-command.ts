/**
 * The one prologue of every npm command, so that each file says only what
 * its command does: its arguments read strictly (a bad one is exit 2 before
 * anything else), .env and .offline/env loaded, the configuration parsed
 * (every bad value named), the runtime chosen for the target, a local-only
 * command refused on a cluster, the project lock taken, Ctrl-C and SIGTERM
 * passed to what runs, and the end (see process/run-command.ts).
 */
import type { ParseArgsConfig } from "node:util";
import { loadDotEnv } from "../../load-env";
import { parseConfig, type ChatBattleConfig } from "../../config/config";
import { readTarget } from "../../config/target";
import { SettingsReader } from "../../config/settings-reader";
import { acquireProjectLock } from "../../process/project-lock";
import { Interrupts } from "../../process/interrupts";
import { runCommand } from "../../process/run-command";
import { PROJECT_ROOT } from "../../project-root";
import { localStackOnly } from "../../runtime/cluster-runtime";
import type { ServiceRuntime } from "../../runtime/service-runtime";
import { readArguments } from "./arguments";
import { runtimeFor } from "./runtime-for";

type Env = Readonly<Record<string, string | undefined>>;
type ArgumentsConfig = Omit<ParseArgsConfig, "args" | "strict">;
type Parsed<A extends ArgumentsConfig> = ReturnType<typeof readArguments<A>>;

/** What a command's body is given. */
export interface CommandContext<A extends ArgumentsConfig> {
  readonly args: Parsed<A>;
  /** The environment, with .env and .offline/env loaded. */
  readonly env: Env;
  /** The validated configuration. Commands that read none (reset) must not ask: it throws. */
  readonly config: ChatBattleConfig;
  /** Where the services run, for this target. */
  readonly runtime: ServiceRuntime;
  /** Ctrl-C and SIGTERM, listened for from the first call on, until the command ends. */
  interrupts(): Interrupts;
  /** Takes the project lock now, as `label` (for commands that take it only on some paths). */
  lock(label: string): void;
}

export interface CommandSpec<A extends ArgumentsConfig> {
  /** The name every message of the command starts with: "deploy", "snapshot". */
  readonly name: string;
  readonly usage: string;
  /** Its options and positionals, as node's parseArgs takes them. @default none */
  readonly arguments?: A;
  /** More checks of the arguments, before .env is read: throw a UsageError. */
  readonly checkArguments?: (args: Parsed<A>) => void;
  /** Acts on the local stack only: refused on the cluster target, before the configuration is read. */
  readonly localOnly?: boolean;
  /** Whether it parses the configuration (reset does not: it must work with settings broken). @default true */
  readonly readsConfig?: boolean;
  /** Takes the project lock before its body runs, as `npm run <name>`. */
  readonly takesLock?: boolean;
  /** Listens for Ctrl-C and SIGTERM from the start. */
  readonly interruptible?: boolean;
  run(context: CommandContext<A>): Promise<number>;
}

export function defineCommand<A extends ArgumentsConfig>(spec: CommandSpec<A>): Promise<void> {
  return runCommand(spec.name, async () => {
    const args = readArguments(spec.usage, spec.arguments ?? ({ options: {} } as A));
    spec.checkArguments?.(args);
    loadDotEnv();
    const env = process.env;
    // Only the target, read alone: a local-only command is refused on a cluster whatever else is set.
    const { target } = readTarget(new SettingsReader(env));
    if (spec.localOnly && target === "cluster") throw localStackOnly(`npm run ${spec.name}`);
    const config = spec.readsConfig === false ? undefined : parseConfig(env);
    const runtime = runtimeFor(config?.target ?? target);
    let interrupts: Interrupts | undefined;
    const context: CommandContext<A> = {
      args,
      env,
      get config(): ChatBattleConfig {
        if (!config) throw new Error(`${spec.name} reads no configuration`);
        return config;
      },
      runtime,
      interrupts: () => (interrupts ??= new Interrupts(spec.name).install()),
      lock: (label) => void acquireProjectLock(PROJECT_ROOT, label),
    };
    if (spec.takesLock) context.lock(`npm run ${spec.name}`);
    if (spec.interruptible) context.interrupts();
    try {
      const code = await spec.run(context);
      return interrupts?.interrupted ? interrupts.exitCode : code;
    } catch (error) {
      // Interrupted: whatever broke on the way out is reported, and the exit says why it ended.
      if (!interrupts?.interrupted) throw error;
      console.error(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
      return interrupts.exitCode;
    } finally {
      interrupts?.stop();
    }
  });
}
