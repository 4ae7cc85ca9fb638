/**
 * Judges every planned change (see findings.ts for the three classes). Pure:
 * what it needs to know about the live services (the broker's defaults for
 * the topic configs, the CQL statements not yet applied) is given to it.
 */
import type { PlannedChange } from "./planned-change";
import type { Finding } from "./findings";
import { judgeTopicConfig } from "./topic-settings";
import { cqlLosses, describeCqlLoss } from "./cql-statements";

/** A statement of cql/ that the schema step would run (not yet applied). */
export interface PendingStatement {
  readonly file: string;
  /** 0-based index in its file. */
  readonly index: number;
  readonly line: number;
  /** As the applier runs it: comments stripped, placeholders filled in. */
  readonly text: string;
  /** Of the statement as written (the applier's record uses the same). */
  readonly checksum: string;
}

export interface ClassifyContext {
  /** The keyspace an unqualified CQL name belongs to. */
  readonly keyspace: string;
  /** The broker's value of each topic config the topic does not set, by topic; absent where Kafka could not be asked. */
  readonly topicDefaults?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** What the schema step would run; undefined when Cassandra could not be asked. */
  readonly pendingCql?: readonly PendingStatement[];
}

type Attributes = Readonly<Record<string, unknown>>;

function valueAt(attributes: Attributes | undefined, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
      attributes,
    );
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const stringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((value as Record<string, unknown> | null | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
  );

/** How long a value may be to be shown in a reason; longer ones are named only. */
const SHOWN_VALUE = 60;

/**
 * "partitions 3 → 2": the attributes forcing a replacement, with their
 * values when there are few and they are short, else by name only
 * ("env, image, ports changed"); or the reason Terraform gives.
 */
function why(change: PlannedChange): string {
  if (change.forcedBy.length > 0) {
    const detailed = change.forcedBy.map((p) => ({
      p,
      from: show(valueAt(change.before, p)),
      to: show(valueAt(change.after, p)),
    }));
    if (detailed.length <= 3 && detailed.every((d) => d.from.length <= SHOWN_VALUE && d.to.length <= SHOWN_VALUE)) {
      return detailed.map((d) => `${d.p} ${d.from} → ${d.to}`).join(", ");
    }
    return `${[...new Set(change.forcedBy.map((p) => p.split(".")[0]))].sort().join(", ")} changed`;
  }
  return change.reason ?? (change.action === "delete" ? "no longer declared" : "the provider requires a new one");
}

/** The first line of a statement, short enough for a report line. */
export function statementHead(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

const adopted = (change: PlannedChange) =>
  change.imported ? "exists but no state recorded it, so it is adopted, and then " : "";

function judgeTopic(change: PlannedChange, context: ClassifyContext): Finding[] {
  const base = { stack: change.stack, subject: `topic ${change.name}` };
  switch (change.action) {
    case "create":
      return [{ ...base, class: "safe", change: `created with ${show(change.after?.partitions)} partition(s)` }];
    case "adopt":
      return [{ ...base, class: "safe", change: "exists but no state recorded it: adopted as it is" }];
    case "delete":
      return [
        {
          ...base,
          class: "loses-data",
          change: `would be deleted, because ${why(change)}`,
          loss: { kind: "topic-records", topic: change.name },
        },
      ];
    case "replace": {
      const partitions = change.forcedBy.includes("partitions") ? "; Kafka cannot lower a topic's partitions" : "";
      return [
        {
          ...base,
          class: "loses-data",
          change: `${adopted(change)}would be deleted and created again, empty, because ${why(change)}${partitions}`,
          loss: { kind: "topic-records", topic: change.name },
        },
      ];
    }
    case "update": {
      const findings: Finding[] = [];
      const [from, to] = [Number(change.before?.partitions), Number(change.after?.partitions)];
      const shape: string[] = [];
      if (from !== to && Number.isFinite(to)) shape.push(`partitions ${from} → ${to}`);
      const [rfFrom, rfTo] = [change.before?.replication_factor, change.after?.replication_factor];
      if (rfFrom !== rfTo && rfTo !== undefined)
        shape.push(`replication factor ${show(rfFrom)} → ${show(rfTo)} (its replicas are moved in place)`);
      if (shape.length > 0)
        findings.push({ ...base, class: "safe", change: `${change.imported ? "adopted; " : ""}${shape.join(", ")}` });
      const config = judgeTopicConfig(
        change.stack,
        change.name,
        stringMap(change.before?.config),
        stringMap(change.after?.config),
        context.topicDefaults?.get(change.name),
      );
      findings.push(
        ...config.map((f) =>
          change.imported && f.class === "loses-data" ? { ...f, change: `${adopted(change)}${f.change}` } : f,
        ),
      );
      return findings.length > 0 ? findings : [{ ...base, class: "safe", change: "updated in place" }];
    }
  }
}

function judgeSchemaStep(change: PlannedChange, context: ClassifyContext): Finding[] {
  const base = { stack: change.stack };
  if (change.action === "delete")
    return [
      {
        ...base,
        class: "safe",
        subject: "schema step",
        change: "removed from the state; the keyspace and its tables stay",
      },
    ];
  const pending = context.pendingCql;
  if (pending === undefined) {
    return [
      {
        ...base,
        class: "safe",
        subject: "schema step",
        change:
          "runs the schema applier; which cql/ statements it would run could not be read from Cassandra now. " +
          "It checks them itself before it runs them, and refuses one that loses data unless the deploy was allowed to",
      },
    ];
  }
  if (pending.length === 0)
    return [
      {
        ...base,
        class: "safe",
        subject: "schema step",
        change: "runs the schema applier; every cql/ file is applied already",
      },
    ];
  return cqlFindings(change.stack, pending, context.keyspace);
}

/** The id the schema step's consent names a statement by: its file, number and checksum, so an edited statement needs consent again. */
export function consentId(statement: Pick<PendingStatement, "file" | "index" | "checksum">): string {
  return `${statement.file}#${statement.index + 1}@${statement.checksum.slice(0, 12)}`;
}

/** The statements the schema step would run, judged: each that deletes data on its own, the others per file. */
export function cqlFindings(stack: string, pending: readonly PendingStatement[], keyspace: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of [...new Set(pending.map((s) => s.file))]) {
    const statements = pending.filter((s) => s.file === file);
    const harmless = statements.filter((s) => cqlLosses(s.text, keyspace).length === 0);
    for (const statement of statements) {
      for (const loss of cqlLosses(statement.text, keyspace)) {
        findings.push({
          stack,
          class: "loses-data",
          subject: `cql/${file} statement ${statement.index + 1} (line ${statement.line})`,
          change: `${statementHead(statement.text)}: ${describeCqlLoss(loss, statement.text)}`,
          loss,
          consent: consentId(statement),
        });
      }
    }
    if (harmless.length > 0) {
      findings.push({
        stack,
        class: "safe",
        subject: `cql/${file}`,
        change: `runs ${harmless.length} statement(s) that delete nothing: ${harmless.map((s) => statementHead(s.text).split(" ").slice(0, 3).join(" ")).join("; ")}`,
      });
    }
  }
  return findings;
}

/** What a create, an adoption or an in-place update of a volume, network or container does, in a clause. */
function keptAsItIs(action: PlannedChange["action"], created: string, adopted = "adopted as it is"): string {
  if (action === "create") return created;
  return action === "adopt" ? `exists but no state recorded it: ${adopted}` : "updated in place";
}

/** One change judged; a change may give several findings (a topic whose partitions and retention both change). */
export function classifyChange(change: PlannedChange, context: ClassifyContext): Finding[] {
  const subject = `${change.kind === "other" ? change.address : change.kind} ${change.name}`;
  const base = { stack: change.stack, subject };
  switch (change.kind) {
    case "topic":
      return judgeTopic(change, context);
    case "schema-step":
      return change.action === "adopt" || change.action === "update"
        ? [{ ...base, class: "safe", change: "updated in place" }]
        : judgeSchemaStep(change, context);
    case "volume":
      if (change.action === "delete")
        return [
          {
            ...base,
            class: "loses-data",
            change: `would be deleted, because ${why(change)}`,
            loss: { kind: "volume", volume: change.name },
          },
        ];
      if (change.action === "replace") {
        return [
          {
            ...base,
            class: "loses-data",
            change: `${adopted(change)}would be deleted and created again, empty, because ${why(change)}`,
            loss: { kind: "volume", volume: change.name },
          },
        ];
      }
      return [{ ...base, class: "safe", change: keptAsItIs(change.action, "created") }];
    case "container":
      if (change.action === "replace")
        return [
          {
            ...base,
            class: "restarts",
            change: `${adopted(change)}is replaced, because ${why(change)}: its service is down until the new container is healthy`,
          },
        ];
      if (change.action === "delete")
        return [{ ...base, class: "restarts", change: `is removed, because ${why(change)}: its service stops` }];
      return [{ ...base, class: "safe", change: keptAsItIs(change.action, "is created and started", "adopted") }];
    case "network":
      if (change.action === "replace" || change.action === "delete") {
        return [
          {
            ...base,
            class: "restarts",
            change: `is ${change.action === "replace" ? "replaced" : "removed"}, because ${why(change)}: every container on it loses its connections until it is back`,
          },
        ];
      }
      return [{ ...base, class: "safe", change: keptAsItIs(change.action, "created") }];
    default:
      return [
        {
          ...base,
          class: "safe",
          change: `${change.action}${change.action === "replace" || change.action === "delete" ? `, because ${why(change)}` : ""}`,
        },
      ];
  }
}

/** Every change judged, in the order given. */
export function classifyChanges(changes: readonly PlannedChange[], context: ClassifyContext): Finding[] {
  return changes.flatMap((change) => classifyChange(change, context));
}
