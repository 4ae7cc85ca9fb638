import type { Replication } from "../config/config";
import { CommandError } from "../errors";

/** The replication as a CQL map literal, keys in a stable order. */
export function replicationCql(replication: Replication): string {
  if (replication.strategy === "SimpleStrategy") {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${replication.replicationFactor}}`;
  }
  const dcs = Object.entries(replication.perDatacenter)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dc, rf]) => `'${dc}': ${rf}`);
  return `{'class': 'NetworkTopologyStrategy', ${dcs.join(", ")}}`;
}

/** The values a CQL file may refer to as {{name}}. */
export interface TemplateValues {
  readonly keyspace: string;
  readonly replication: Replication;
}

export class TemplateError extends CommandError {
  override name = "TemplateError";
}

/**
 * Fills {{keyspace}} and {{replication}} in. Any other {{…}} is an error, so a
 * typo never reaches Cassandra as literal text.
 */
export function renderCql(text: string, values: TemplateValues, file: string): string {
  const filled: Record<string, string> = { keyspace: values.keyspace, replication: replicationCql(values.replication) };
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (match, name: string, offset: number) => {
    if (name in filled) return filled[name];
    const line = text.slice(0, offset).split("\n").length;
    throw new TemplateError(
      `${file}:${line}: unknown placeholder ${match}; only {{keyspace}} and {{replication}} exist`,
    );
  });
}
