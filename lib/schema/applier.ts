import type { CassandraClient } from "./connect";
import { describeDriverError } from "./connect";
import { AppliedFiles } from "./applied-files";
import { parseCqlFile, planApply, type ParsedCqlFile } from "./plan";
import { renderCql, type TemplateValues } from "./render";
import type { CqlFile } from "./cql-files";
import { CommandError } from "../errors";

export class StatementFailedError extends CommandError {
  override name = "StatementFailedError";
}

export interface ApplyResult {
  /** Files run now, in order. */
  readonly applied: readonly string[];
  /** Files that had been applied before. */
  readonly alreadyApplied: readonly string[];
}

export interface ApplyOptions {
  readonly log: (line: string) => void;
  /** How long to wait for the cluster to agree on the schema after a change. */
  readonly schemaAgreementSeconds?: number;
}

/**
 * Applies the files in order, each statement once. Progress is recorded
 * after every statement, so a failure leaves an exact record of what ran and
 * the next run resumes after it. Nothing runs if any file is malformed or an
 * applied file was edited.
 */
export async function applySchema(
  client: CassandraClient,
  files: readonly CqlFile[],
  values: TemplateValues,
  options: ApplyOptions,
): Promise<ApplyResult> {
  // Parse and render everything first: a syntax or placeholder error in the last file stops the run before the first.
  const parsed = files.map(parseCqlFile);
  const rendered = new Map(
    parsed.map((f) => [f.name, f.statements.map((s) => renderCql(s.text, values, `cql/${f.name}`))] as const),
  );
  const record = new AppliedFiles(client, values.keyspace);
  const plan = planApply(parsed, await record.read());
  for (const name of plan.missingFiles) {
    options.log(`warning: cql/${name} is recorded as applied but is no longer in cql/ (what it did stays in place)`);
  }

  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  // Records written before the keyspace (and so the record table) existed wait here.
  const pending: ParsedCqlFile[] = [];
  for (const { file, action, startAt } of plan.files) {
    if (action === "already-applied") {
      options.log(`already applied  cql/${file.name}`);
      alreadyApplied.push(file.name);
      continue;
    }
    if (action === "resume") options.log(`resuming        cql/${file.name} after statement ${startAt}`);
    const statements = rendered.get(file.name)!;
    for (let i = startAt; i < file.statements.length; i += 1) {
      try {
        await client.execute(statements[i]);
      } catch (error) {
        // Progress up to the previous statement is already recorded.
        throw new StatementFailedError(failureReport(file, i, startAt, describeDriverError(error)));
      }
      await saveProgress(record, file, i + 1, pending);
      // The driver waits for agreement itself, but gives up quietly after its timeout; make that an error.
      if (!(await schemaAgrees(client, options.schemaAgreementSeconds ?? 60))) {
        throw new StatementFailedError(
          `cql/${file.name}:${file.statements[i].line}: statement ${i + 1} ran (and is recorded), but the nodes did not agree ` +
            `on the schema within ${options.schemaAgreementSeconds ?? 60} s. Check that every node is up (nodetool describecluster), then run again.`,
        );
      }
    }
    options.log(`applied          cql/${file.name} (${file.statements.length - startAt} statement(s))`);
    applied.push(file.name);
  }
  if (pending.length > 0) {
    throw new StatementFailedError(
      `The files ran, but keyspace ${values.keyspace} does not exist, so nothing could be recorded: ` +
        `the first file must create the keyspace ({{keyspace}}).`,
    );
  }
  return { applied, alreadyApplied };
}

/** Records that the first `ran` statements of `file` have run. */
async function saveProgress(record: AppliedFiles, file: ParsedCqlFile, ran: number, pending: ParsedCqlFile[]) {
  const entry = (f: ParsedCqlFile, n: number) => ({
    fileName: f.name,
    checksum: f.checksum,
    statementChecksums: f.statements.map((s) => s.checksum),
    statementsApplied: n,
    complete: n === f.statements.length,
  });
  if (!(await record.ensureTable())) {
    if (!pending.includes(file)) pending.push(file);
    return;
  }
  // Files that completed before the keyspace existed are recorded now.
  while (pending.length > 0) {
    const earlier = pending.shift()!;
    if (earlier !== file) await record.write(entry(earlier, earlier.statements.length));
  }
  await record.write(entry(file, ran));
}

/** Whether every node reports the same schema version within `seconds`. */
async function schemaAgrees(client: CassandraClient, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  // checkSchemaAgreement exists on the driver's Metadata but is missing from its typings.
  const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
  while (!(await metadata.checkSchemaAgreement())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return true;
}

function failureReport(file: ParsedCqlFile, failed: number, startAt: number, cassandraMessage: string): string {
  const statement = file.statements[failed];
  const ranNow = file.statements.slice(startAt, failed);
  const ranBefore = file.statements.slice(0, startAt);
  const list = (ss: typeof ranNow, from: number) =>
    ss.map((s, k) => `    ${from + k + 1}. line ${s.line}: ${firstLine(s.text)}`).join("\n");
  const lines = [`cql/${file.name}:${statement.line}: statement ${failed + 1} failed: ${cassandraMessage}`];
  if (failed === 0) {
    lines.push(`  Nothing of cql/${file.name} ran.`);
  } else {
    lines.push(`  cql/${file.name} is HALF-APPLIED. These statements ran and stay in place:`);
    if (ranBefore.length > 0) lines.push(list(ranBefore, 0));
    if (ranNow.length > 0) lines.push(list(ranNow, startAt));
    lines.push(
      `  Fix statement ${failed + 1} and leave ${failed === 1 ? "statement 1" : `statements 1-${failed}`} as ${failed === 1 ? "it is" : "they are"}; ` +
        `the next run resumes at statement ${failed + 1}.`,
    );
  }
  lines.push("  Later files were not run.");
  return lines.join("\n");
}

function firstLine(text: string): string {
  const line = text.split("\n")[0];
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
