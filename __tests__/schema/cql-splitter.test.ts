import { describe, expect, it } from "vitest";
import { splitCql, CqlSyntaxError } from "../../lib/schema/cql-splitter";

const split = (text: string) => splitCql(text, "cql/test.cql");

describe("splitCql", () => {
  it("splits at semicolons and reports the line each statement starts on", () => {
    expect(split("CREATE TABLE a (x int PRIMARY KEY);\n\nINSERT INTO a (x)\nVALUES (1);\n")).toEqual([
      { text: "CREATE TABLE a (x int PRIMARY KEY)", line: 1 },
      { text: "INSERT INTO a (x)\nVALUES (1)", line: 3 },
    ]);
  });

  it("drops -- and // comments, even with semicolons in them", () => {
    expect(
      split("-- first; not a statement\nSELECT 1 FROM t; // trailing; comment\n// SELECT 2;\nSELECT 3 FROM t;"),
    ).toEqual([
      { text: "SELECT 1 FROM t", line: 2 },
      { text: "SELECT 3 FROM t", line: 4 },
    ]);
  });

  it("drops /* */ comments across lines and keeps counting lines", () => {
    expect(split("/* a\n; b\n*/ SELECT /* ; */ 1 FROM t;\nSELECT 2 FROM t;")).toEqual([
      { text: "SELECT   1 FROM t", line: 3 },
      { text: "SELECT 2 FROM t", line: 4 },
    ]);
  });

  it("keeps semicolons, comment markers and escaped quotes inside string literals", () => {
    expect(split("INSERT INTO t (s) VALUES ('a; b -- c /* d */ it''s');SELECT 1 FROM t;")).toEqual([
      { text: "INSERT INTO t (s) VALUES ('a; b -- c /* d */ it''s')", line: 1 },
      { text: "SELECT 1 FROM t", line: 1 },
    ]);
  });

  it("keeps semicolons inside quoted identifiers", () => {
    expect(split('SELECT "odd;name" FROM t;')).toEqual([{ text: 'SELECT "odd;name" FROM t', line: 1 }]);
  });

  it("keeps $$ blocks whole, across lines", () => {
    const fn =
      "CREATE FUNCTION f (x int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$\n  return x; // ;\n$$;";
    expect(split(`${fn}\nSELECT 1 FROM t;`)).toEqual([
      { text: fn.slice(0, -1), line: 1 },
      { text: "SELECT 1 FROM t", line: 4 },
    ]);
  });

  it("counts lines inside strings that span lines", () => {
    expect(split("INSERT INTO t (s) VALUES ('one\ntwo');\nSELECT 1 FROM t;")[1].line).toBe(3);
  });

  it("returns nothing for a file of comments and white space", () => {
    expect(split("-- nothing\n/* here */\n\n")).toEqual([]);
  });

  it("ignores empty statements", () => {
    expect(split(";;SELECT 1 FROM t;;")).toEqual([{ text: "SELECT 1 FROM t", line: 1 }]);
  });

  it.each([
    ["SELECT 1 FROM t", 1, "statement is not terminated by ';'"],
    ["SELECT 1 FROM t;\n\nINSERT INTO t (s) VALUES ('open;\n", 3, "unterminated string literal"],
    ['SELECT "open FROM t;', 1, "unterminated quoted identifier"],
    ["SELECT 1 FROM t;\n/* never closed;", 2, "unterminated /* comment"],
    ["CREATE FUNCTION f AS $$ return 1;", 1, "unterminated $$ block"],
  ])("reports malformed input %j at file:line", (text, line, message) => {
    try {
      split(text);
      expect.fail("expected a CqlSyntaxError");
    } catch (error) {
      expect(error).toBeInstanceOf(CqlSyntaxError);
      expect((error as CqlSyntaxError).message).toBe(
        `cql/test.cql:${line}: ${message}${message.startsWith("unterminated") ? " (opened here)" : ""}`,
      );
    }
  });
});
