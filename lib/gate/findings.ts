/**
 * The one classification of a change, shared by `npm run plan`, deploy,
 * the schema step, migrate and restore:
 * - loses-data: records, rows or files are deleted (a topic or volume deleted
 *   or replaced, a retention lowered, a cleanup policy changed, a CQL
 *   statement that drops or deletes); refused unless the user allows it;
 * - restarts: a service goes down for a moment (a container replaced);
 *   shown, not refused;
 * - safe: everything else.
 */

export type ChangeClass = "loses-data" | "restarts" | "safe";

/** What a change would delete, to be counted on the live services before anyone is asked. */
export type LossQuery =
  /** Every record of a topic (it is deleted, or replaced by an empty one). */
  | { readonly kind: "topic-records"; readonly topic: string }
  /** The records older than a retention: what the broker deletes once it applies. */
  | { readonly kind: "topic-older-than"; readonly topic: string; readonly retentionMs: number }
  /** The bytes over a size retention, per partition: the oldest segments go. */
  | { readonly kind: "topic-over-bytes"; readonly topic: string; readonly retentionBytes: number }
  /** The records compaction removes: every record of a key but its latest (and keyless ones). */
  | { readonly kind: "topic-superseded"; readonly topic: string }
  /** The deletion markers (tombstones) of a compacted topic. */
  | { readonly kind: "topic-tombstones"; readonly topic: string }
  /** A Docker volume's files. */
  | { readonly kind: "volume"; readonly volume: string }
  /** Every table of a keyspace. */
  | { readonly kind: "keyspace"; readonly keyspace: string }
  /** Every row of a table. */
  | { readonly kind: "table"; readonly keyspace: string; readonly table: string }
  /** The values of these columns in every row that has one. */
  | { readonly kind: "columns"; readonly keyspace: string; readonly table: string; readonly columns: readonly string[] }
  /** The rows a DELETE's WHERE clause matches. */
  | { readonly kind: "matching-rows"; readonly keyspace: string; readonly table: string; readonly where: string }
  /** A secondary index or a materialized view: derived, its table's rows stay. */
  | { readonly kind: "derived"; readonly keyspace: string; readonly name: string };

/** What counting a loss found, in words and in numbers (for `--json`). */
export interface Measured {
  /** e.g. "It holds 3 partition(s), 2000 message(s)." */
  readonly text: string;
  readonly records?: number;
  readonly rows?: number;
  readonly bytes?: number;
  /** The count could not be made exactly (a size estimate, an upper bound, a service not answering). */
  readonly exact: boolean;
  /** What the change would delete holds nothing at all (an empty topic, table or column): nothing is lost. */
  readonly holdsNothing?: boolean;
}

/** One judged change. */
export interface Finding {
  readonly class: ChangeClass;
  readonly stack: string;
  /** What it is about: "topic channel-stats", "cql/003_x.cql statement 1 (line 4)". */
  readonly subject: string;
  /** What changes and what that does, in a clause: "would be deleted and created again, empty, because …". */
  readonly change: string;
  /** For loses-data: what to count. */
  readonly loss?: LossQuery;
  /** For loses-data, once counted. */
  readonly measured?: Measured;
  /** For a CQL statement: the id the schema step's consent names it by (see consentId). */
  readonly consent?: string;
}

/** How a stack was planned, for the report. */
export interface StackPlan {
  readonly stack: string;
  /** planned: a fresh plan; recorded: against its last recorded state only (its service was down); not-planned: why in `note`. */
  readonly how: "planned" | "recorded" | "not-planned";
  readonly note?: string;
  readonly findings: readonly Finding[];
}

export const losesData = (findings: readonly Finding[]) => findings.filter((f) => f.class === "loses-data");

/** A loss that counting found empty loses nothing: it is safe, and says so. */
export function settled(finding: Finding): Finding {
  return finding.class === "loses-data" && finding.measured?.holdsNothing ? { ...finding, class: "safe" } : finding;
}
