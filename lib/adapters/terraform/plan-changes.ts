/**
 * Reading a saved plan (`terraform show -json <planfile>`) for what it would
 * destroy. Pure: the runner feeds it the JSON and acts on the answer.
 */

/** Resource types whose deletion loses data: a topic's messages, a volume's files. */
export const DATA_RESOURCE_TYPES = ["kafka_topic", "docker_volume"] as const;
export type DataResourceType = (typeof DATA_RESOURCE_TYPES)[number];

/** A planned action that would delete or replace a resource holding data. */
export interface DestructiveChange {
  readonly stack: string;
  /** Terraform's address, e.g. kafka_topic.topic-channel-stats. */
  readonly address: string;
  readonly type: DataResourceType;
  /** The topic's or volume's own name. */
  readonly name: string;
  /** delete: it goes; replace: it is deleted and created again, empty. */
  readonly action: "delete" | "replace";
  /** Why, as the plan shows it, e.g. "partitions 3 → 2" or "no longer declared". */
  readonly reason: string;
}

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
  };
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Why a resource would be deleted, in the plan's own terms. */
function reasonFor(change: PlannedResourceChange): string {
  const paths = change.change.replace_paths ?? [];
  if (change.change.actions.includes("create") && paths.length > 0) {
    return paths.map((path) => `${path.join(".")} ${show(valueAt(change.change.before, path))} → ${show(valueAt(change.change.after, path))}`).join(", ");
  }
  switch (change.action_reason) {
    case "delete_because_no_resource_config":
      return "no longer declared";
    case "replace_because_tainted":
      return "marked tainted";
    case "replace_by_request":
      return "replacement requested";
    default:
      return change.change.actions.includes("create") ? "the provider requires a new one" : "no longer declared";
  }
}

/** The changes of one stack's plan that would delete or replace a topic or a volume. */
export function destructiveChanges(stack: string, planJson: string): DestructiveChange[] {
  const plan = JSON.parse(planJson) as { resource_changes?: PlannedResourceChange[] };
  return (plan.resource_changes ?? [])
    .filter((c) => c.mode !== "data" && (DATA_RESOURCE_TYPES as readonly string[]).includes(c.type) && c.change.actions.includes("delete"))
    .map((c) => ({
      stack,
      address: c.address,
      type: c.type as DataResourceType,
      name: show(c.change.before?.name ?? c.address),
      action: c.change.actions.includes("create") ? ("replace" as const) : ("delete" as const),
      reason: reasonFor(c),
    }));
}
