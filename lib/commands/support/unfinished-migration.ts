/**
 * The record of an `npm run migrate` whose old stack is gone but whose data
 * is not restored yet (state/migration.json): written once the old stack is
 * removed, deleted once the snapshot is restored. A migrate killed in between
 * (kill -9, a power cut) is carried on by the next `npm run migrate`, and
 * `npm run deploy` says it is there. `npm run reset` removes it with the rest
 * of state/: a reset abandons the move (the snapshot stays).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STATE_DIR } from "../../project-root";

export interface UnfinishedMigration {
  /** The snapshot taken before the old stack was removed. */
  readonly snapshot: string;
  /** Where it lives. */
  readonly folder: string;
  readonly kafkaMode: "zookeeper" | "kraft";
  readonly kafkaBrokers: 1 | 3;
  readonly startedAt: string;
}

const path = (projectRoot: string) => join(projectRoot, STATE_DIR, "migration.json");

export function readUnfinishedMigration(projectRoot: string): UnfinishedMigration | undefined {
  return existsSync(path(projectRoot)) ? (JSON.parse(readFileSync(path(projectRoot), "utf8")) as UnfinishedMigration) : undefined;
}

export function recordUnfinishedMigration(projectRoot: string, migration: UnfinishedMigration): void {
  mkdirSync(join(projectRoot, STATE_DIR), { recursive: true });
  writeFileSync(path(projectRoot), `${JSON.stringify(migration, null, 2)}\n`);
}

export function clearUnfinishedMigration(projectRoot: string): void {
  rmSync(path(projectRoot), { force: true });
}

/** One line for a command that finds it. */
export function describeUnfinished(migration: UnfinishedMigration): string {
  return (
    `an npm run migrate to KAFKA_MODE=${migration.kafkaMode} with ${migration.kafkaBrokers} broker(s) did not finish: ` +
    `its data is in the snapshot ${migration.snapshot} (${migration.folder}) and not restored yet; npm run migrate carries it on`
  );
}
