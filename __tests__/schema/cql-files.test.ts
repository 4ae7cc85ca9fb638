import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readCqlFiles } from "../../lib/schema/cql-files";
import { parseCqlFile } from "../../lib/schema/plan";
import { renderCql } from "../../lib/schema/render";
import { EXPECTED_TABLES } from "../../lib/schema/expected-schema";
import { PROJECT_ROOT } from "../../test-support/synth";

const files = readCqlFiles(join(PROJECT_ROOT, "cql")).map(parseCqlFile);
const values = { keyspace: "twitch_chat", replication: { strategy: "SimpleStrategy", replicationFactor: 1 } } as const;
const all = files.flatMap((f) => f.statements.map((s) => renderCql(s.text, values, f.name))).join(";\n");
const normalized = all.replace(/\s+/g, " ");

describe("cql/", () => {
  it("parses, renders, and creates the keyspace first", () => {
    expect(files.map((f) => f.name)).toEqual(["001_create_keyspace.cql", "002_create_raw_chat_messages.cql"]);
    expect(normalized).toMatch(
      /^CREATE KEYSPACE IF NOT EXISTS twitch_chat WITH REPLICATION = \{'class': 'SimpleStrategy', 'replication_factor': 1\}/,
    );
  });

  // verify compares the live schema with EXPECTED_TABLES; these keep that list and cql/ equal, both ways.
  for (const table of EXPECTED_TABLES) {
    describe(table.name, () => {
      it("declares every expected column with its type, and no other", () => {
        for (const c of table.columns) expect(normalized.toLowerCase()).toContain(`${c.name} ${c.type},`);
        // The other way: the columns cql/ declares for this table are exactly the expected ones.
        const body = new RegExp(`CREATE TABLE IF NOT EXISTS \\w+\\.${table.name} \\((.*?) PRIMARY KEY`).exec(
          normalized,
        )![1];
        const declared = body
          .split(",")
          .map((c) => c.trim())
          .filter(Boolean)
          .map((c) => c.split(" ")[0].toLowerCase());
        expect(declared.sort()).toEqual(table.columns.map((c) => c.name).sort());
      });

      it("declares the key and clustering order", () => {
        const partition = table.columns.filter((c) => c.kind === "partition_key").map((c) => c.name);
        const clustering = table.columns.filter((c) => c.kind === "clustering");
        expect(normalized).toContain(
          `PRIMARY KEY ((${partition.join(", ")}), ${clustering.map((c) => c.name).join(", ")})`,
        );
        const desc = clustering.filter((c) => c.clusteringOrder === "desc").map((c) => `${c.name} DESC`);
        expect(normalized).toContain(`CLUSTERING ORDER BY (${desc.join(", ")})`);
      });

      it("declares its TTL and compaction", () => {
        expect(normalized).toContain(`default_time_to_live = ${table.defaultTimeToLiveSeconds}`);
        for (const [key, value] of Object.entries(table.compaction))
          expect(normalized).toMatch(new RegExp(`'${key}': '?${value}'?`));
      });
    });
  }
});
