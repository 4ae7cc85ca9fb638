/**
 * The gate's words: a finding as one line, the refusal that names what would
 * be lost and the ways forward, the note printed when the loss is allowed,
 * and `npm run plan`'s report, in text and as JSON.
 */
import { losesData, type ChangeClass, type Finding, type StackPlan } from "./findings";

/** "  topic channel-stats (topics stack): would be deleted, because no longer declared. It holds …" (no stack named when it has none). */
export function findingLine(finding: Finding): string {
  const where = finding.stack ? ` (${finding.stack} stack)` : "";
  return `  ${finding.subject}${where}: ${finding.change}.${finding.measured ? ` ${finding.measured.text}` : ""}`;
}

export interface Refusal {
  /** The command speaking: "deploy", "schema", "migrate", "restore". */
  readonly command: string;
  /** What was not done: "applied nothing of it". */
  readonly held: string;
  /** How to undo the change that asks for the loss, one way forward. */
  readonly undo: string;
  /** The exact command that loses this deliberately. */
  readonly allow: string;
  /** A last line in parentheses. @default where npm run plan and npm run reset come in */
  readonly footer?: string;
}

/** The refusal: what would be lost, why, and the ways forward. */
export function refusalMessage(findings: readonly Finding[], refusal: Refusal): string {
  return [
    `${refusal.command}: refused: this would lose data, so it ${refusal.held}:`,
    ...losesData(findings).map(findingLine),
    "Ways forward:",
    `  - ${refusal.undo}; or`,
    `  - lose exactly this, deliberately: ${refusal.allow}`,
    refusal.footer ?? "(npm run plan shows everything a deploy would do; npm run reset deletes all data and state.)",
  ].join("\n");
}

/** Said before going ahead when the user allowed the loss. */
export function allowedMessage(command: string, flag: string, findings: readonly Finding[]): string {
  return [`${command}: ${flag}: going ahead; this is lost now:`, ...losesData(findings).map(findingLine)].join("\n");
}

const HEADINGS: Record<ChangeClass, string> = {
  "loses-data": "LOSES DATA",
  restarts: "restarts a service",
  safe: "safe",
};
const ORDER: readonly ChangeClass[] = ["loses-data", "restarts", "safe"];

/** `npm run plan`'s report: each stack with its findings by class, then one line that sums up. */
export function planReport(plans: readonly StackPlan[]): string[] {
  const width = Math.max(...plans.map((p) => p.stack.length));
  const lines: string[] = [];
  for (const plan of plans) {
    const head = plan.stack.padEnd(width);
    if (plan.how === "not-planned") {
      lines.push(`${head}  not planned: ${plan.note}`);
      continue;
    }
    const note = plan.how === "recorded" ? ` (${plan.note})` : "";
    if (plan.findings.length === 0) {
      lines.push(`${head}  no change${note}`);
      continue;
    }
    if (note) lines.push(`${head} ${note}`);
    for (const cls of ORDER) {
      const found = plan.findings.filter((f) => f.class === cls);
      if (found.length === 0) continue;
      lines.push(`${head}  ${HEADINGS[cls]}:`);
      for (const f of found)
        lines.push(`${" ".repeat(width)}    ${f.subject}: ${f.change}.${f.measured ? ` ${f.measured.text}` : ""}`);
    }
  }
  const all = plans.flatMap((p) => p.findings);
  const count = (cls: ChangeClass) => all.filter((f) => f.class === cls).length;
  const lost = count("loses-data");
  lines.push(
    `plan: ${lost} change(s) lose data, ${count("restarts")} restart a service, ${count("safe")} safe.` +
      (lost > 0
        ? " npm run deploy refuses this; npm run deploy -- --allow-data-loss applies exactly this."
        : all.length > 0
          ? " npm run deploy applies it without asking."
          : " npm run deploy has nothing to do."),
  );
  const unplanned = plans.filter((p) => p.how !== "planned");
  if (unplanned.length > 0) {
    lines.push(
      `plan: ${unplanned.map((p) => p.stack).join(", ")}: ${unplanned.length === 1 ? "its service is" : "their services are"} not running, so not everything could be checked; npm run deploy checks again before it applies them.`,
    );
  }
  return lines;
}

/** The same as JSON, for a pipeline: every finding with its class and counts, and the exit code it implies. */
export function planJson(plans: readonly StackPlan[]): object {
  const all = plans.flatMap((p) => p.findings);
  return {
    losesData: losesData(all).length > 0,
    complete: plans.every((p) => p.how === "planned"),
    summary: Object.fromEntries(ORDER.map((cls) => [cls, all.filter((f) => f.class === cls).length])),
    stacks: plans.map((p) => ({
      stack: p.stack,
      how: p.how,
      ...(p.note ? { note: p.note } : {}),
      changes: p.findings.map((f) => ({
        class: f.class,
        subject: f.subject,
        change: f.change,
        ...(f.measured
          ? {
              lost: {
                text: f.measured.text,
                records: f.measured.records,
                rows: f.measured.rows,
                bytes: f.measured.bytes,
                exact: f.measured.exact,
              },
            }
          : {}),
      })),
    })),
  };
}

/** `npm run plan`'s exit code: 3 when something would lose data (a pipeline can require a person then), else 0. */
export const PLAN_LOSES_DATA_EXIT = 3;
export function planExitCode(plans: readonly StackPlan[]): number {
  return plans.some((p) => losesData(p.findings).length > 0) ? PLAN_LOSES_DATA_EXIT : 0;
}
