import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import cassandra from "cassandra-driver";
import { copyProject, runNpmScript } from "../../test-support/project";

const server = inject("cassandra");

/**
 * A copy of the project whose cql/ a test may change, with the schema
 * commands run in it as a user runs them: npm run schema:apply / schema:verify.
 */
class ProjectCopy {
  private readonly copy = copyProject(
    ["lib", "scripts", "cql", ".gen", "package.json", "tsconfig.json"],
    "chatbattle-schema-",
  );
  readonly dir = this.copy.dir;

  constructor(readonly keyspace: string) {}

  write(file: string, text: string) {
    writeFileSync(join(this.dir, "cql", file), text);
  }

  read(file: string) {
    return readFileSync(join(this.dir, "cql", file), "utf8");
  }

  run(command: "apply" | "verify", env: Record<string, string> = {}) {
    return runNpmScript(this.dir, `schema:${command}`, {
      CASSANDRA_CONTACT_POINTS: server.host,
      CASSANDRA_PORT: String(server.port),
      CASSANDRA_KEYSPACE: this.keyspace,
      ...env,
    });
  }

  remove() {
    this.copy.remove();
  }
}

let client: cassandra.Client;
beforeAll(async () => {
  client = new cassandra.Client({
    contactPoints: [server.host],
    protocolOptions: { port: server.port },
    localDataCenter: server.datacenter,
  });
  await client.connect();
});
afterAll(async () => {
  await client?.shutdown();
});

const records = async (keyspace: string) =>
  (
    await client.execute(
      `SELECT file_name, checksum, statements_applied, complete, applied_at FROM ${keyspace}.applied_cql_files`,
    )
  ).rows
    .map((r) => ({
      file: r.get("file_name") as string,
      ran: r.get("statements_applied") as number,
      complete: r.get("complete") as boolean,
      at: (r.get("applied_at") as Date).getTime(),
    }))
    .sort((a, b) => a.file.localeCompare(b.file));

describe("schema applier against a real Cassandra", () => {
  const project = new ProjectCopy("twitch_chat");
  afterAll(() => project.remove());

  it("applies cql/ on first run", () => {
    const { status, output } = project.run("apply");
    expect(status, output).toBe(0);
    expect(output).toContain("applied          cql/001_create_keyspace.cql (1 statement(s))");
    expect(output).toContain("applied          cql/002_create_raw_chat_messages.cql (1 statement(s))");
    expect(output).toContain("schema: 2 file(s) applied, 0 already applied, keyspace twitch_chat");
  });

  it("verifies the live keyspace, table and options against cql/", () => {
    const { status, output } = project.run("verify");
    expect(status, output).toBe(0);
    expect(output).toMatch(/ok\s+keyspace twitch_chat replication\s+class=SimpleStrategy, replication_factor=1/);
    expect(output).toMatch(/ok\s+twitch_chat\.raw_chat_messages default_time_to_live\s+604800/);
    expect(output).toMatch(
      /ok\s+twitch_chat\.raw_chat_messages compaction\s+class=TimeWindowCompactionStrategy, compaction_window_size=1, compaction_window_unit=DAYS/,
    );
    expect(output).toMatch(/ok\s+twitch_chat\.raw_chat_messages column timestamp\s+bigint clustering #0 desc/);
    expect(output).toContain("schema: matches cql/");
  });

  it("does nothing on a re-run", async () => {
    const before = await records("twitch_chat");
    const { status, output } = project.run("apply");
    expect(status, output).toBe(0);
    expect(output).toContain("already applied  cql/001_create_keyspace.cql");
    expect(output).toContain("already applied  cql/002_create_raw_chat_messages.cql");
    expect(output).toContain("schema: 0 file(s) applied, 2 already applied");
    expect(await records("twitch_chat")).toEqual(before);
  });

  it("stores chat rows with the 7-day TTL and reads a channel newest first", async () => {
    const insert = `INSERT INTO twitch_chat.raw_chat_messages (channel_id, timestamp, message_id, user_id, username, message, emotes)
      VALUES (?, ?, ?, ?, ?, ?, ?)`;
    for (const [ts, text] of [
      [1000, "first"],
      [3000, "third"],
      [2000, "second"],
    ] as const) {
      await client.execute(insert, ["chan", ts, cassandra.types.Uuid.random(), "u1", "viewer", text, ["Kappa"]], {
        prepare: true,
      });
    }
    const rows = (
      await client.execute(
        "SELECT timestamp, message, TTL(message) AS ttl, emotes FROM twitch_chat.raw_chat_messages WHERE channel_id = 'chan'",
      )
    ).rows;
    expect(rows.map((r) => r.get("message"))).toEqual(["third", "second", "first"]);
    for (const row of rows) {
      expect(row.get("ttl")).toBeGreaterThan(604800 - 60);
      expect(row.get("ttl")).toBeLessThanOrEqual(604800);
      expect(row.get("emotes")).toEqual(["Kappa"]);
    }
  });

  it("applies a file added later, and only that file", async () => {
    project.write(
      "003_add_badges.cql",
      "-- badges shown next to a user's name\nALTER TABLE {{keyspace}}.raw_chat_messages ADD badges set<text>;\n",
    );
    const { status, output } = project.run("apply");
    expect(status, output).toBe(0);
    expect(output).toContain("applied          cql/003_add_badges.cql (1 statement(s))");
    expect(output).toContain("schema: 1 file(s) applied, 2 already applied");
    const columns = await client.execute(
      "SELECT column_name FROM system_schema.columns WHERE keyspace_name = 'twitch_chat' AND table_name = 'raw_chat_messages'",
    );
    expect(columns.rows.map((r) => r.get("column_name"))).toContain("badges");
    expect((await records("twitch_chat")).map((r) => [r.file, r.complete])).toEqual([
      ["001_create_keyspace.cql", true],
      ["002_create_raw_chat_messages.cql", true],
      ["003_add_badges.cql", true],
    ]);
  });

  it("reports a column that cql/ does not declare as a mismatch", () => {
    // 003 added `badges`, which the verifier's expectations do not know.
    const { status, output } = project.run("verify");
    expect(status).toBe(1);
    expect(output).toMatch(
      /MISMATCH\s+twitch_chat\.raw_chat_messages column badges\s+expected not declared, found present/,
    );
  });

  it("refuses an applied file that was edited, and runs nothing", async () => {
    const original = project.read("002_create_raw_chat_messages.cql");
    project.write("002_create_raw_chat_messages.cql", original.replace("604800", "86400"));
    project.write("004_more.cql", "ALTER TABLE {{keyspace}}.raw_chat_messages ADD language text;\n");
    try {
      const { status, output } = project.run("apply");
      expect(status).toBe(1);
      expect(output).toContain("Refusing to apply the schema; nothing was run:");
      expect(output).toContain("cql/002_create_raw_chat_messages.cql was applied on");
      expect(output).toContain("and has been edited since");
      expect((await records("twitch_chat")).map((r) => r.file)).not.toContain("004_more.cql");
    } finally {
      project.write("002_create_raw_chat_messages.cql", original);
      rmSync(join(project.dir, "cql", "004_more.cql"));
    }
  });

  it("reports a broken statement with file:line and Cassandra's message, names what ran, and resumes once fixed", async () => {
    project.write(
      "004_language.cql",
      [
        "-- two changes; the second has a typo",
        "ALTER TABLE {{keyspace}}.raw_chat_messages ADD language text;",
        "",
        "ALTER TABLE {{keyspace}}.raw_chat_messages ADD is_mod boolen;",
        "",
      ].join("\n"),
    );
    const broken = project.run("apply");
    expect(broken.status).toBe(1);
    expect(broken.output).toMatch(/cql\/004_language\.cql:4: statement 2 failed: .*boolen/i);
    expect(broken.output).toContain("cql/004_language.cql is HALF-APPLIED. These statements ran and stay in place:");
    expect(broken.output).toContain("1. line 2: ALTER TABLE {{keyspace}}.raw_chat_messages ADD language text");
    expect(broken.output).toContain(
      "Fix statement 2 and leave statement 1 as it is; the next run resumes at statement 2.",
    );
    expect((await records("twitch_chat")).find((r) => r.file === "004_language.cql")).toMatchObject({
      ran: 1,
      complete: false,
    });

    project.write("004_language.cql", project.read("004_language.cql").replace("boolen", "boolean"));
    const fixed = project.run("apply");
    expect(fixed.status, fixed.output).toBe(0);
    expect(fixed.output).toContain("resuming        cql/004_language.cql after statement 1");
    expect(fixed.output).toContain("applied          cql/004_language.cql (1 statement(s))");
    expect((await records("twitch_chat")).find((r) => r.file === "004_language.cql")).toMatchObject({
      ran: 2,
      complete: true,
    });
  });

  it("reports a malformed file before running anything", async () => {
    project.write(
      "005_unterminated.cql",
      "ALTER TABLE {{keyspace}}.raw_chat_messages ADD note text;\nINSERT INTO x (a) VALUES ('open;\n",
    );
    try {
      const { status, output } = project.run("apply");
      expect(status).toBe(1);
      expect(output).toContain("cql/005_unterminated.cql:2: unterminated string literal (opened here)");
      expect((await records("twitch_chat")).map((r) => r.file)).not.toContain("005_unterminated.cql");
    } finally {
      rmSync(join(project.dir, "cql", "005_unterminated.cql"));
    }
  });
});

describe("schema applier settings against a real Cassandra", () => {
  it("creates a NetworkTopologyStrategy keyspace from a per-datacenter map", () => {
    const project = new ProjectCopy("chat_nts");
    try {
      const applied = project.run("apply", { CASSANDRA_REPLICATION: "dc1:1" });
      expect(applied.status, applied.output).toBe(0);
      const verified = project.run("verify", { CASSANDRA_REPLICATION: "dc1:1" });
      expect(verified.status, verified.output).toBe(0);
      expect(verified.output).toMatch(/ok\s+keyspace chat_nts replication\s+class=NetworkTopologyStrategy, dc1=1/);
    } finally {
      project.remove();
    }
  });

  it("verify fails on a live option that differs from cql/", async () => {
    const project = new ProjectCopy("chat_drift");
    try {
      expect(project.run("apply").status).toBe(0);
      await client.execute("ALTER TABLE chat_drift.raw_chat_messages WITH default_time_to_live = 100");
      const { status, output } = project.run("verify");
      expect(status).toBe(1);
      expect(output).toMatch(
        /MISMATCH\s+chat_drift\.raw_chat_messages default_time_to_live\s+expected 604800, found 100/,
      );
      expect(output).toContain("schema: 1 mismatch(es) with cql/");
    } finally {
      project.remove();
    }
  });

  it("gives a clear error within its deadline when Cassandra is unreachable", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const project = new ProjectCopy("never_created");
    try {
      const { status, output, seconds } = project.run("apply", {
        CASSANDRA_PORT: String(closedPort),
        SCHEMA_WAIT_SECONDS: "4",
      });
      expect(status).toBe(1);
      expect(output).toContain(`waiting for Cassandra at 127.0.0.1:${closedPort}: try 1 failed`);
      expect(output).toContain(`Cassandra at 127.0.0.1:${closedPort} did not accept CQL within 4 s`);
      expect(output).toContain("ECONNREFUSED");
      // The deadline holds: 4 s of waiting plus the command's own start-up.
      expect(seconds).toBeLessThan(4 + 10);
    } finally {
      project.remove();
    }
  });

  it("fails at once, naming the datacenters there are and the setting, when the local datacenter is wrong", () => {
    const project = new ProjectCopy("never_created_dc");
    try {
      const { status, output, seconds } = project.run("apply", {
        CASSANDRA_LOCAL_DATACENTER: "nope",
        SCHEMA_WAIT_SECONDS: "60",
      });
      expect(status).toBe(1);
      expect(output).toContain(`has no datacenter named 'nope'; its nodes are in: ${server.datacenter}.`);
      expect(output).toContain("Set CASSANDRA_LOCAL_DATACENTER to one of them");
      expect(output).not.toContain("waiting for Cassandra");
      // SCHEMA_WAIT_SECONDS is 60: a retry loop would take that long.
      expect(seconds).toBeLessThan(30);
    } finally {
      project.remove();
    }
  });
});
