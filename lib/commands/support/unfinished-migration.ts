/**
 * The record of an `npm run migrate` whose snapshot is saved and checked but
 * whose data is not restored yet (state/migration.json): written before the
 * old stack is removed (phase "removing"), moved on once it is gone
 * ("deploying"), deleted once the snapshot is restored. A migrate killed
 * anywhere in between (kill -9, a power cut, a volume still in use) is
 * carried on by the next `npm run migrate`. While the old stack is half
 * removed, `npm run deploy` refuses (it would start the old stack again on
 * what is left); after that it only says the move is there. `npm run reset`
 * removes the record with the rest of state/: a reset abandons the move (the
 * snapshot stays).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "../../project-root";
import { CommandError } from "../../errors";

export interface UnfinishedMigration {
  /** The snapshot taken before the old stack was removed. */
  readonly snapshot: string;
  /** Where it lives. */
  readonly folder: string;
  readonly kafkaMode: "zookeeper" | "kraft";
  readonly kafkaBrokers: 1 | 3;
  readonly startedAt: string;
  /** removing: the old stack is being removed; deploying: it is gone, and the new one is deployed and restored next. Absent in records of older versions: deploying. */
  readonly phase?: "removing" | "deploying";
  /** The move was started with --allow-data-loss, after it showed what would be lost. */
  readonly allowedLoss?: boolean;
}

/** The record's file name in state/: what a removal by migrate keeps. */
export const MIGRATION_RECORD = "migration.json";

const path = (projectRoot: string) => join(projectRoot, STATE_DIR, MIGRATION_RECORD);

export function readUnfinishedMigration(projectRoot: string): UnfinishedMigration | undefined {
  if (!existsSync(path(projectRoot))) return undefined;
  try {
    return JSON.parse(readFileSync(path(projectRoot), "utf8")) as UnfinishedMigration;
  } catch (error) {
    throw new CommandError(
      `${join(STATE_DIR, MIGRATION_RECORD)}, the record of an unfinished npm run migrate, cannot be read (${error instanceof Error ? error.message : error}); nothing was changed. ` +
        "Its snapshot is in SNAPSHOT_DIR (npm run snapshot -- list): to finish the move by hand, npm run reset -- --yes, set KAFKA_MODE and KAFKA_BROKERS in .env, npm run deploy, then npm run snapshot -- restore NAME.",
    );
  }
}

/** Writes the record whole (a temporary file renamed over it), so a kill leaves the old record or the new one. */
export function recordUnfinishedMigration(projectRoot: string, migration: UnfinishedMigration): void {
  mkdirSync(join(projectRoot, STATE_DIR), { recursive: true });
  const draft = `${path(projectRoot)}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(migration, null, 2)}\n`);
  renameSync(draft, path(projectRoot));
}

export function clearUnfinishedMigration(projectRoot: string): void {
  rmSync(path(projectRoot), { force: true });
}

/** One line for a command that finds it. */
export function describeUnfinished(migration: UnfinishedMigration): string {
  const where = migration.phase === "removing" ? "its old stack is partly removed, and " : "";
  return (
    `an npm run migrate to KAFKA_MODE=${migration.kafkaMode} with ${migration.kafkaBrokers} broker(s) did not finish: ` +
    `${where}its data is in the snapshot ${migration.snapshot} (${migration.folder}) and not restored yet; npm run migrate carries it on`
  );
}
