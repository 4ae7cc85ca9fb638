import type { ChildProcess } from "node:child_process";

/** A child that must be allowed to finish cleanly on Ctrl-C or SIGTERM, such as Terraform saving its state. */
interface GuardedChild {
  readonly process: ChildProcess;
  /** What it is doing, for the message when it is left behind: "topics: terraform apply". */
  readonly doing: string;
}

/**
 * Signals that arrive this close together are one interrupt. A Ctrl-C in a
 * terminal reaches npm and this process at once, and npm passes it on as
 * well, so one key press arrives here twice (three times where a shell or
 * tsx stands between them).
 */
const SAME_INTERRUPT_MS = 1500;

/**
 * Ctrl-C (SIGINT) and SIGTERM (what CI runners, `timeout` and process managers
 * send) for a command that runs Terraform. The children run in process groups
 * of their own, so a terminal's Ctrl-C does not reach them directly (a second
 * SIGINT would make Terraform quit at once, without saving its state). On
 * the first signal, each running child is sent one SIGINT, which Terraform
 * takes as "stop after the current step and save the state", and the command
 * waits for them and then ends with 130 (SIGINT) or 143 (SIGTERM). A second
 * signal, pressed on purpose, sends a second SIGINT: Terraform then exits at
 * once; the command says which stacks were cut short and what the next
 * deploy does about it.
 */
export class Interrupts {
  private readonly children = new Set<GuardedChild>();
  private firstAt?: number;
  private signalName?: NodeJS.Signals;
  private abandoned = false;
  private readonly listeners: Array<() => void> = [];
  private readonly aborts = new AbortController();

  constructor(private readonly command: string) {}

  /** Starts listening for SIGINT and SIGTERM; `stop()` removes the handlers again. */
  install(): this {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => this.receive(signal);
      process.on(signal, handler);
      this.listeners.push(() => process.off(signal, handler));
    }
    return this;
  }

  stop(): void {
    for (const remove of this.listeners.splice(0)) remove();
  }

  /** Whether an interrupt came: start nothing new. */
  get interrupted(): boolean {
    return this.firstAt !== undefined;
  }

  /** Whether a second interrupt cut the children short. */
  get cutShort(): boolean {
    return this.abandoned;
  }

  /** Aborted on the first interrupt: for work that is not a child process, such as an image pull. */
  get signal(): AbortSignal {
    return this.aborts.signal;
  }

  /** 130 after SIGINT, 143 after SIGTERM: the shell's 128 + signal number. */
  get exitCode(): 130 | 143 {
    return this.signalName === "SIGTERM" ? 143 : 130;
  }

  /** Registers a running child until it closes. A child started after the interrupt is told at once. */
  watch(child: ChildProcess, doing: string): void {
    const guarded = { process: child, doing };
    this.children.add(guarded);
    child.once("close", () => this.children.delete(guarded));
    if (this.interrupted) sendToGroup(child, "SIGINT");
  }

  /** Handles a signal as if it had arrived (the tests' way in). */
  receive(signal: NodeJS.Signals): void {
    const now = Date.now();
    if (this.firstAt === undefined) {
      this.firstAt = now;
      this.signalName = signal;
      const running = [...this.children].map((c) => c.doing);
      console.error(
        `${this.command}: ${signal} received; ` +
          (running.length > 0
            ? `waiting for ${running.join(", ")} to stop and save the state (a second Ctrl-C stops them at once).`
            : "starting nothing more."),
      );
      for (const child of this.children) sendToGroup(child.process, "SIGINT");
      this.aborts.abort();
      return;
    }
    if (now - this.firstAt < SAME_INTERRUPT_MS || this.abandoned) return;
    this.abandoned = true;
    const running = [...this.children].map((c) => c.doing);
    console.error(
      `${this.command}: second ${signal}: stopping ${running.length > 0 ? running.join(", ") : "nothing (all done)"} at once. ` +
        "Terraform may not have recorded what it was creating in that moment; the next npm run deploy adopts such objects (or removes a container of the project's) and carries on.",
    );
    for (const child of this.children) sendToGroup(child.process, "SIGINT");
  }
}

/** Signals a child started with `detached: true` and everything it started. */
export function sendToGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}
