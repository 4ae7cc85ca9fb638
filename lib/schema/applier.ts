import type { CqlSession } from "../adapters/cassandra/connect";
import { describeDriverError } from "../adapters/cassandra/connect";
import { AppliedFiles } from "./applied-files";
import { parseCqlFile, planApply, type ParsedCqlFile } from "./plan";
import { renderCql, type TemplateValues } from "./render";
import type { CqlFile } from "./cql-files";
import { statementsToRun } from "./pending";
import { measureCqlLoss } from "./cql-losses";
import { CommandError } from "../errors";
import { cqlFindings } from "../gate/classify";
import { losesData, settled, type Finding } from "../gate/findings";
import { allowedMessage, refusalMessage } from "../gate/report";

export class StatementFailedError extends CommandError {
  override name = "StatementFailedError";
}

/** A statement would delete data and nobody allowed it: nothing ran. */
export class CqlLossRefusedError extends CommandError {
  override name = "CqlLossRefusedError";
}

/** The environment variable through which a deploy passes on the consent ids of the CQL losses it showed and was allowed. */
export const CQL_CONSENT_ENV = "CHATBATTLE_ALLOWED_CQL_LOSSES";

/** The consent ids in an environment (see CQL_CONSENT_ENV). */
export function consentFromEnvironment(env: Readonly<Record<string, string | undefined>>): ReadonlySet<string> {
  return new Set(
    (env[CQL_CONSENT_ENV] ?? "")
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  );
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
  /**
   * Which statements that delete data may run, by consent id (see
   * gate/classify.ts consentId): those a deploy showed and was allowed to
   * apply. "shown": every one, once this run has shown them (npm run
   * schema:apply -- --allow-data-loss). Default: none.
   */
  readonly allowedLosses?: ReadonlySet<string> | "shown";
  /** How a refusal names the way to allow it. @default "npm run deploy -- --allow-data-loss" */
  readonly allowCommand?: string;
}

/**
 * Applies the files in order, each statement once. Progress is recorded
 * after every statement, so a failure leaves an exact record of what ran and
 * the next run resumes after it. Nothing runs if any file is malformed or an
 * applied file was edited.
 */
export async function applySchema(
  client: CqlSession,
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

  await refuseLosses(client, statementsToRun(plan, values), values.keyspace, options);

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

/**
 * The gate before anything runs: every statement that would delete data is
 * counted and, unless allowed, refused with what it would lose. A statement
 * whose target holds nothing loses nothing and runs.
 */
async function refuseLosses(
  client: CqlSession,
  pending: Parameters<typeof cqlFindings>[1],
  keyspace: string,
  options: ApplyOptions,
): Promise<void> {
  const judged: Finding[] = [];
  for (const finding of losesData(cqlFindings("", pending, keyspace))) {
    judged.push(settled({ ...finding, measured: await measureCqlLoss(client, finding.loss!) }));
  }
  const losses = losesData(judged);
  if (losses.length === 0) return;
  const allowed = options.allowedLosses;
  const refused = allowed === "shown" ? [] : losses.filter((f) => !allowed?.has(f.consent!));
  if (refused.length > 0) {
    throw new CqlLossRefusedError(
      refusalMessage(refused, {
        command: "schema apply",
        held: "ran none of cql/",
        undo: "remove or change the statement (a file not yet applied may still be edited) and run again",
        allow: options.allowCommand ?? "npm run deploy -- --allow-data-loss",
      }),
    );
  }
  options.log(allowedMessage("schema apply", "allowed", losses));
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
async function schemaAgrees(client: CqlSession, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await client.schemaAgreed())) {
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
