/**
 * Waiting for containers to be ready, on any runtime: running, and healthy
 * when asked. A container that exits is restarted by the runtime (Docker's
 * unless-stopped), and after an engine restart that is normal for a while:
 * a broker exits until ZooKeeper lets go of its old session (NodeExists),
 * about 18 s. Only a loop of restarts, a dead container or the runtime's own
 * verdict "unhealthy" means it will not come.
 */
import { CommandError } from "../errors";
import type { ContainerStatus, ServiceRuntime } from "./service-runtime";

/** A service that broke while a command waited for it. */
export class ServiceNotReadyError extends CommandError {
  override name = "ServiceNotReadyError";
}

/** Restarts while a command waits that mean a service is crashing, not starting: Docker's back-off makes 8 about a minute. */
export const MAX_RESTARTS = 8;
const POLL_MS = 500;

/** What "ready" means for a container: running, or running and healthy. */
export type Readiness = "running" | "healthy";

/** A container that will not come, and why in words: "unhealthy", "dead", "restarting again and again (8 times)". */
export interface Broken {
  readonly name: string;
  readonly what: string;
}

/**
 * Watches containers for breakage: counts restarts from the first look on,
 * so that restarts before the wait began do not count.
 */
export class BreakageWatch {
  private readonly restartsAtStart = new Map<string, number>();

  /** The first of `states` that will not come; undefined when none. */
  broken(states: ReadonlyMap<string, ContainerStatus>): Broken | undefined {
    for (const [name, s] of states) if (!this.restartsAtStart.has(name)) this.restartsAtStart.set(name, s.restarts);
    for (const [name, s] of states) {
      if (s.state === "running" && s.health === "unhealthy") return { name, what: "unhealthy" };
      if (s.state === "dead") return { name, what: "dead" };
      if (s.restarts - this.restartsAtStart.get(name)! >= MAX_RESTARTS)
        return { name, what: `restarting again and again (${MAX_RESTARTS} times)` };
    }
    return undefined;
  }
}

export interface WaitOptions {
  /** What waits, for messages: a stack's name, or "deploy". */
  readonly subject: string;
  /** The longest it waits (TERRAFORM_TIMEOUT), named in the message when it passes. */
  readonly deadlineSeconds: number;
  /** Prints a progress line when what it waits for changes, and the time it took. */
  readonly say: (line: string) => void;
  /** The watch that counts restarts; one per command, so that a second wait does not forget the first's. */
  readonly watch: BreakageWatch;
  /** Pause between looks. @default 500 ms */
  readonly pollMs?: number;
}

/**
 * Whether every one of `containers` is ready now; with `wait`, waits until
 * they are, throwing a ServiceNotReadyError when one breaks or the deadline
 * passes. A missing container counts as ready to wait for: its stack failed
 * or was never applied, and Terraform says why.
 */
export async function containersReady(
  runtime: ServiceRuntime,
  containers: readonly string[],
  until: Readiness,
  wait: boolean,
  options: WaitOptions,
): Promise<boolean> {
  const started = Date.now();
  let said = "";
  for (;;) {
    const states = await runtime.containerStatus(containers);
    const waiting = new Map(
      [...states].filter(([, s]) => !(s.state === "running" && (until === "running" || s.health === "healthy"))),
    );
    if (waiting.size === 0) {
      if (said) options.say(`ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return true;
    }
    if (!wait) return false;
    if ([...waiting.values()].some((s) => s.state === "missing")) return true;
    const broken = options.watch.broken(waiting);
    if (broken) {
      throw new ServiceNotReadyError(
        `${broken.name} is ${broken.what}, so ${options.subject} was not applied; see \`npm run logs\` and \`npm run health\`, fix the cause and deploy again.`,
      );
    }
    const line = `waiting for ${[...waiting].map(([name, s]) => `${name} (${s.state !== "running" || s.health === "none" ? s.state : s.health})`).join(", ")} to be ${until}`;
    if (line !== said) options.say((said = line));
    if (Date.now() - started > options.deadlineSeconds * 1000) {
      throw new ServiceNotReadyError(
        `${[...waiting.keys()].join(", ")} did not become ${until} within ${options.deadlineSeconds} s (TERRAFORM_TIMEOUT); ${options.subject} was not applied.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? POLL_MS));
  }
}
