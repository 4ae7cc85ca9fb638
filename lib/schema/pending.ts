/**
 * The statements of cql/ that the applier would run next, as it would run
 * them: what the data-loss gate judges before anything runs, in a deploy's
 * review and in the applier itself.
 */
import type { CqlFile } from "./cql-files";
import { parseCqlFile, planApply, type AppliedRecord, type ApplyPlan } from "./plan";
import { renderCql, type TemplateValues } from "./render";
import type { PendingStatement } from "../gate/classify";

/** The statements a plan runs, rendered, in order. */
export function statementsToRun(plan: ApplyPlan, values: TemplateValues): PendingStatement[] {
  return plan.files.flatMap(({ file, action, startAt }) =>
    action === "already-applied"
      ? []
      : file.statements.slice(startAt).map((s, i) => ({
          file: file.name,
          index: startAt + i,
          line: s.line,
          text: renderCql(s.text, values, `cql/${file.name}`),
          checksum: s.checksum,
        })),
  );
}

/** What the applier would run given the record of what ran; throws as the applier would (a malformed or edited file). */
export function pendingStatements(
  files: readonly CqlFile[],
  records: readonly AppliedRecord[],
  values: TemplateValues,
): PendingStatement[] {
  return statementsToRun(planApply(files.map(parseCqlFile), records), values);
}
