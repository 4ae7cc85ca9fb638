/**
 * What a deploy would do to one object, in the app's own terms: the stack
 * runner reads it from Terraform's saved plan (adapters/terraform), the gate
 * judges it (classify.ts). Nothing here knows Terraform's resource types.
 */

/** What kind of object a change is to. */
export type ObjectKind = "topic" | "volume" | "container" | "network" | "image" | "schema-step" | "other";

/** What happens to it: adopt takes an existing object into the state as it is; a replacement deletes it and creates it again. */
export type PlannedAction = "create" | "adopt" | "update" | "delete" | "replace";

export interface PlannedChange {
  /** The stack whose plan holds it. */
  readonly stack: string;
  /** Where it is declared, for people reading the plan: e.g. kafka_topic.topic-channel-stats. */
  readonly address: string;
  readonly kind: ObjectKind;
  /** The object's own name: the topic's, the volume's, the container's. */
  readonly name: string;
  readonly action: PlannedAction;
  /** It exists, but no state recorded it: the plan adopts it (imports it) first. */
  readonly imported: boolean;
  /** Its attributes now (as the state or the import read them); absent for a create. */
  readonly before?: Readonly<Record<string, unknown>>;
  /** Its attributes after the change, as far as they are known before applying; absent for a delete. */
  readonly after?: Readonly<Record<string, unknown>>;
  /** For a replacement: the attributes whose change forces it, e.g. ["partitions"] or ["image"]. */
  readonly forcedBy: readonly string[];
  /** Why, when no attribute says it: "no longer declared", "marked tainted", "replacement requested". */
  readonly reason?: string;
}
