/**
 * A saved plan (`terraform show -json <planfile>`) read as the app's planned
 * changes (lib/gate/planned-change.ts): the Terraform resource types become
 * the objects they are, and Terraform's actions the gate's. Pure: the runner
 * feeds it the JSON.
 */
import type { ObjectKind, PlannedAction, PlannedChange } from "../../gate/planned-change";

/** The object each resource type of the app is; any other type is "other". */
const KIND_OF_TYPE: Readonly<Record<string, ObjectKind>> = {
  kafka_topic: "topic",
  docker_volume: "volume",
  docker_container: "container",
  docker_network: "network",
  docker_image: "image",
  // The app's only terraform_data is the step that applies cql/.
  terraform_data: "schema-step",
};

interface PlannedResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: Record<string, unknown> | null;
    readonly after?: Record<string, unknown> | null;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    readonly importing?: { readonly id?: string } | null;
  };
}

const REASONS: Readonly<Record<string, string>> = {
  delete_because_no_resource_config: "no longer declared",
  replace_because_tainted: "marked tainted",
  replace_by_request: "replacement requested",
  replace_because_cannot_update: "the provider cannot change it in place",
};

function actionOf(change: PlannedResourceChange["change"]): PlannedAction | undefined {
  const actions = change.actions;
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("create")) return "create";
  if (actions.includes("update")) return "update";
  // Terraform says no-op for an import that changes nothing: the object is adopted as it is.
  if (actions.includes("no-op") && change.importing) return "adopt";
  return undefined;
}

/** Every change of one stack's saved plan that does something (no-ops, reads and forgets left out). */
export function plannedChanges(stack: string, planJson: string): PlannedChange[] {
  const plan = JSON.parse(planJson) as { resource_changes?: PlannedResourceChange[] };
  return (plan.resource_changes ?? []).flatMap((c): PlannedChange[] => {
    if (c.mode === "data") return [];
    const action = actionOf(c.change);
    if (!action) return [];
    const before = c.change.before ?? undefined;
    const after = c.change.after ?? undefined;
    const name = before?.name ?? after?.name;
    return [
      {
        stack,
        address: c.address,
        kind: KIND_OF_TYPE[c.type] ?? "other",
        name: typeof name === "string" ? name : c.address,
        action,
        imported: Boolean(c.change.importing),
        before,
        after,
        forcedBy: action === "replace" ? (c.change.replace_paths ?? []).map((path) => path.join(".")) : [],
        reason: c.action_reason ? REASONS[c.action_reason] : undefined,
      },
    ];
  });
}

/** One line of Terraform's machine-readable output (`-json`), as far as the app reads it. */
interface UiLine {
  readonly type?: string;
  readonly "@message"?: string;
  readonly diagnostic?: { readonly detail?: string };
  readonly changes?: {
    readonly add: number;
    readonly change: number;
    readonly import?: number;
    readonly remove: number;
  };
  readonly change?: {
    readonly action: string;
    readonly importing?: unknown;
    readonly resource: { readonly addr: string; readonly resource_type: string; readonly resource_name: string };
  };
}

const uiLines = (stdout: string): UiLine[] =>
  stdout.split("\n").flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as UiLine] : [];
    } catch {
      return [];
    }
  });

/**
 * The changes of a plan that only creates or adopts (imports) objects, read
 * from the plan's own machine-readable output (`terraform plan -json`):
 * judging such changes needs no attribute, so `terraform show` can be
 * skipped. Undefined when the plan changes or removes anything, or says
 * nothing of it: then the saved plan must be read whole.
 */
export function createsOnly(stack: string, stdout: string): PlannedChange[] | undefined {
  const lines = uiLines(stdout);
  const summary = lines.find((l) => l.type === "change_summary")?.changes;
  if (!summary || summary.change !== 0 || summary.remove !== 0) return undefined;
  const changes: PlannedChange[] = [];
  for (const line of lines.filter((l) => l.type === "planned_change" && l.change)) {
    const { action, importing, resource } = line.change!;
    const adopt = action === "import" || (action === "noop" && importing !== undefined);
    if (action !== "create" && !adopt) return undefined;
    changes.push({
      stack,
      address: resource.addr,
      kind: KIND_OF_TYPE[resource.resource_type] ?? "other",
      name: resource.resource_name,
      action: adopt ? "adopt" : "create",
      imported: adopt,
      forcedBy: [],
    });
  }
  return changes.length === summary.add + (summary.import ?? 0) ? changes : undefined;
}

/** A line of Terraform's machine-readable output in words, as its human output would say it (an error with its detail). */
export function readableLine(line: string): string {
  try {
    const parsed = JSON.parse(line) as UiLine;
    return [
      parsed["@message"] ?? line,
      ...(parsed.diagnostic?.detail ? parsed.diagnostic.detail.split("\n") : []),
    ].join("\n");
  } catch {
    return line;
  }
}
