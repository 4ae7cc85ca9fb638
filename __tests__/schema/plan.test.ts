import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCqlFile, planApply, PlanError, type AppliedRecord } from "../../lib/schema/plan";
import { readCqlFiles, sha256, checksumOfAll, CqlFileError } from "../../lib/schema/cql-files";

const file = (name: string, text: string) => parseCqlFile({ name, path: `cql/${name}`, text, checksum: sha256(text) });
const done = (f: ReturnType<typeof file>): AppliedRecord => ({
  fileName: f.name,
  checksum: f.checksum,
  statementChecksums: f.statements.map((s) => s.checksum),
  statementsApplied: f.statements.length,
  complete: true,
});

const keyspace = file("001_keyspace.cql", "CREATE KEYSPACE k WITH REPLICATION = {{replication}};");
const table = file("002_table.cql", "CREATE TABLE k.t (a int PRIMARY KEY);\nCREATE TABLE k.u (a int PRIMARY KEY);\n");

describe("planApply", () => {
  it("applies every file of a fresh cluster from its first statement", () => {
    const plan = planApply([keyspace, table], []);
    expect(plan.files.map((p) => [p.file.name, p.action, p.startAt])).toEqual([
      ["001_keyspace.cql", "new", 0],
      ["002_table.cql", "new", 0],
    ]);
  });

  it("does nothing on a re-run", () => {
    const plan = planApply([keyspace, table], [done(keyspace), done(table)]);
    expect(plan.files.every((p) => p.action === "already-applied")).toBe(true);
  });

  it("applies only a file added later", () => {
    const added = file("003_more.cql", "ALTER TABLE k.t ADD b text;");
    const plan = planApply([keyspace, table, added], [done(keyspace), done(table)]);
    expect(plan.files.map((p) => p.action)).toEqual(["already-applied", "already-applied", "new"]);
  });

  it("refuses an applied file that was edited, naming it and the way out", () => {
    const edited = file("002_table.cql", table.text.replace("a int", "a bigint"));
    expect(() => planApply([keyspace, edited], [done(keyspace), done(table)])).toThrow(PlanError);
    expect(() => planApply([keyspace, edited], [done(keyspace), done(table)])).toThrow(
      /cql\/002_table\.cql was applied and has been edited since .*restore it \(git checkout -- cql\/002_table\.cql\)/,
    );
  });

  it("treats a comment-only edit as an edit: the file as a whole is what was applied", () => {
    const commented = file("002_table.cql", `-- note\n${table.text}`);
    expect(() => planApply([keyspace, commented], [done(keyspace), done(table)])).toThrow(PlanError);
  });

  it("resumes a half-applied file after the statements that ran", () => {
    const half: AppliedRecord = { ...done(table), statementsApplied: 1, complete: false };
    const fixed = file(
      "002_table.cql",
      "CREATE TABLE k.t (a int PRIMARY KEY);\nCREATE TABLE k.u (a int PRIMARY KEY, b text);\n",
    );
    const plan = planApply([keyspace, fixed], [done(keyspace), half]);
    expect(plan.files[1]).toMatchObject({ action: "resume", startAt: 1 });
  });

  it("refuses a half-applied file whose statements that ran were changed", () => {
    const half: AppliedRecord = { ...done(table), statementsApplied: 1, complete: false };
    const changed = file(
      "002_table.cql",
      "CREATE TABLE k.t (a text PRIMARY KEY);\nCREATE TABLE k.u (a int PRIMARY KEY);\n",
    );
    expect(() => planApply([keyspace, changed], [done(keyspace), half])).toThrow(
      /half-applied: its first 1 statement\(s\) ran/,
    );
  });

  it("refuses a new file that sorts before an applied one", () => {
    const early = file("0015_early.cql", "CREATE TABLE k.v (a int PRIMARY KEY);");
    expect(() => planApply([keyspace, early, table], [done(keyspace), done(table)])).toThrow(
      /cql\/0015_early\.cql is new but sorts before cql\/002_table\.cql/,
    );
  });

  it("reports every refusal at once", () => {
    const edited1 = file("001_keyspace.cql", keyspace.text + "\n");
    const edited2 = file("002_table.cql", table.text + "\n");
    try {
      planApply([edited1, edited2], [done(keyspace), done(table)]);
      expect.fail("expected a PlanError");
    } catch (error) {
      expect((error as Error).message.match(/^ {2}- /gm)).toHaveLength(2);
      expect((error as Error).message).toMatch(/^Refusing to apply the schema; nothing was run:/);
    }
  });

  it("reports recorded files that are gone from cql/", () => {
    const gone = file("003_gone.cql", "SELECT 1 FROM t;");
    expect(planApply([keyspace, table], [done(keyspace), done(table), done(gone)]).missingFiles).toEqual([
      "003_gone.cql",
    ]);
  });
});

describe("readCqlFiles", () => {
  const dirWith = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "cql-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it("orders files by number, not by text", () => {
    // As text, "1000_a" sorts before "999_z"; as numbers 999 comes first. Different
    // digit counts are the only way the two orders part, so this case is the test.
    const dir = dirWith({ "1000_a.cql": "d", "999_z.cql": "c", "002_b.cql": "b", "001_a.cql": "a" });
    try {
      expect(["1000_a.cql", "999_z.cql"].sort()).toEqual(["1000_a.cql", "999_z.cql"]);
      expect(readCqlFiles(dir).map((f) => f.name)).toEqual(["001_a.cql", "002_b.cql", "999_z.cql", "1000_a.cql"]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("checksums each file's text", () => {
    const dir = dirWith({ "001_a.cql": "SELECT 1;" });
    try {
      expect(readCqlFiles(dir)[0].checksum).toBe(sha256("SELECT 1;"));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it.each([
    [{ "1_a.cql": "" }, "not named NNN_description.cql"],
    [{ "001_a.sql": "" }, "not named NNN_description.cql"],
    [{ "001-Create.cql": "" }, "not named NNN_description.cql"],
    [{ "001_a.cql": "", "0001_b.cql": "" }, "have the same number"],
  ])("refuses an ambiguous folder %j", (files, message) => {
    const dir = dirWith(files);
    try {
      expect(() => readCqlFiles(dir)).toThrow(CqlFileError);
      expect(() => readCqlFiles(dir)).toThrow(message);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("changes the overall checksum when any file's name or text changes", () => {
    const a = [{ name: "001_a.cql", path: "", text: "x", checksum: sha256("x") }];
    const b = [{ name: "001_a.cql", path: "", text: "y", checksum: sha256("y") }];
    const c = [{ name: "002_a.cql", path: "", text: "x", checksum: sha256("x") }];
    expect(new Set([checksumOfAll(a), checksumOfAll(b), checksumOfAll(c)]).size).toBe(3);
  });
});
