import { sha256, type CqlFile } from "./cql-files";
import { splitCql, type CqlStatement } from "./cql-splitter";
import { CommandError } from "../errors";

/** A CQL file split into statements, each with the checksum of its text. */
export interface ParsedCqlFile extends CqlFile {
  readonly statements: readonly (CqlStatement & { readonly checksum: string })[];
}

/** What the record table says about one file. */
export interface AppliedRecord {
  readonly fileName: string;
  /** Checksum of the whole file when it was (last) worked on. */
  readonly checksum: string;
  /** Checksums of its statements, in order. */
  readonly statementChecksums: readonly string[];
  /** How many statements, from the first, have run. */
  readonly statementsApplied: number;
  /** True once every statement has run. */
  readonly complete: boolean;
  readonly appliedAt?: Date;
}

/** One file's part in a run. */
export interface PlannedFile {
  readonly file: ParsedCqlFile;
  /** already-applied: nothing to do; new: run all; resume: run from statement `startAt` (0-based). */
  readonly action: "already-applied" | "new" | "resume";
  readonly startAt: number;
}

export interface ApplyPlan {
  readonly files: readonly PlannedFile[];
  /** Recorded files no longer in cql/: reported, never undone. */
  readonly missingFiles: readonly string[];
}

export class PlanError extends CommandError {
  override name = "PlanError";
}

export function parseCqlFile(file: CqlFile): ParsedCqlFile {
  const statements = splitCql(file.text, `cql/${file.name}`).map((s) => ({ ...s, checksum: sha256(s.text) }));
  return { ...file, statements };
}

/**
 * Decides what a run does, before anything runs. Refuses (PlanError listing
 * every reason) when an applied file was edited, when a half-applied file
 * changed a statement that already ran, or when a new file sorts before one
 * that is already applied.
 */
export function planApply(files: readonly ParsedCqlFile[], records: readonly AppliedRecord[]): ApplyPlan {
  const byName = new Map(records.map((r) => [r.fileName, r]));
  const refusals: string[] = [];
  const planned: PlannedFile[] = [];

  for (const file of files) {
    const record = byName.get(file.name);
    const where = `cql/${file.name}`;
    if (!record) {
      planned.push({ file, action: "new", startAt: 0 });
    } else if (record.complete) {
      if (record.checksum === file.checksum) {
        planned.push({ file, action: "already-applied", startAt: file.statements.length });
      } else {
        refusals.push(
          `${where} was applied${record.appliedAt ? ` on ${record.appliedAt.toISOString()}` : ""} and has been edited since ` +
            `(checksum ${short(record.checksum)} then, ${short(file.checksum)} now). An applied file is never run again: ` +
            `restore it (git checkout -- ${where}) and put the change in a new file with a higher number.`,
        );
      }
    } else {
      const ran = record.statementsApplied;
      const changed = file.statements.slice(0, ran).findIndex((s, i) => s.checksum !== record.statementChecksums[i]);
      if (changed !== -1 || file.statements.length < ran) {
        const statement = changed === -1 ? ran : changed + 1;
        refusals.push(
          `${where} was half-applied: its first ${ran} statement(s) ran, but statement ${statement} of those has since ` +
            `changed or gone. Restore the statements that ran and fix only the ones after them.`,
        );
      } else {
        planned.push({ file, action: "resume", startAt: ran });
      }
    }
  }

  // New files must come after every file already worked on, or the order would depend on history.
  const lastTouched = planned.findLastIndex((p) => p.action !== "new");
  for (const p of planned.slice(0, Math.max(lastTouched, 0))) {
    if (p.action === "new") {
      refusals.push(
        `cql/${p.file.name} is new but sorts before cql/${planned[lastTouched].file.name}, which is already applied. ` +
          "Give it a number after the last applied file.",
      );
    }
  }

  if (refusals.length > 0) {
    throw new PlanError(
      `Refusing to apply the schema; nothing was run:\n${refusals.map((r) => `  - ${r}`).join("\n")}`,
    );
  }
  const present = new Set(files.map((f) => f.name));
  return { files: planned, missingFiles: records.map((r) => r.fileName).filter((n) => !present.has(n)) };
}

function short(checksum: string): string {
  return checksum.slice(0, 12);
}
