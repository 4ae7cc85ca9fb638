/**
 * How the commands that run stacks say what the runner reports: one line
 * per event, prefixed with its stack as cdktf prints Terraform's lines, so
 * the app's own lines and Terraform's read as one log.
 */
import type { RunEvent } from "../../adapters/terraform/run-events";

export interface RunPrinter {
  /** Says one event. */
  event(event: RunEvent): void;
  /** Says a line of the command's own for a stack, aligned with Terraform's. */
  line(stack: string, text: string): void;
}

/** The words for an event, without the stack prefix; undefined for an event that has its own line. */
export function describeEvent(event: RunEvent, command = "deploy"): string | undefined {
  switch (event.kind) {
    case "output":
      return event.line;
    case "timed-out":
      return `terraform ${event.command} did not finish within ${event.deadlineSeconds} s (TERRAFORM_TIMEOUT) and was stopped; Terraform saved its state.`;
    case "not-started":
      return event.why;
    case "locked":
      return (
        `state is locked by another run (${event.who}, ${event.operation}, since ${event.since}); ` +
        `waited ${event.waitedSeconds} s (STATE_LOCK_TIMEOUT) and changed nothing. Deploy again when it has finished.`
      );
    case "adopting":
      return `adopting ${event.names.join(", ")}: they exist but the state does not know them (lost or never saved); importing them instead of creating them again (a container may then be replaced: it holds no data, its volume does)`;
    case "untainting":
      return `${event.address} (${event.name}): its creation was cut short, but it exists as recorded; untainting it rather than replacing it`;
    case "usable-early":
      return "usable now; the stacks that need it start while Terraform finishes";
    case "skipped":
      return `not ${event.action === "apply" ? "deployed" : "destroyed"}: ${event.why}`;
    case "refused-late":
      return "not applied: its plan would lose data (its service was not up before; the stacks before it were applied)";
    case "broke":
      return `${event.trouble}; stopping its apply (Terraform saves its state).`;
    case "failed":
      return event.message;
    case "nothing-to-do":
      return `${command}: every stack is as declared; nothing to do.`;
    case "leftovers":
      return event.line;
  }
}

export function runPrinter(
  stacks: readonly string[],
  options: { readonly command?: string; readonly log?: (line: string) => void } = {},
): RunPrinter {
  const width = Math.max(0, ...stacks.map((s) => s.length));
  const log = options.log ?? ((line: string) => console.log(line));
  const line = (stack: string, text: string) => log(`${stack.padEnd(width)}  ${text}`);
  return {
    line,
    event(event) {
      const text = describeEvent(event, options.command);
      if (text === undefined) return;
      if ("stack" in event) {
        // Terraform's blank lines stay out of the log.
        if (event.kind !== "output" || text.trim()) line(event.stack, text);
      } else log(text);
    },
  };
}
