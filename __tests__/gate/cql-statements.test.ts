import { describe, expect, it } from "vitest";
import { cqlLosses } from "../../lib/gate/cql-statements";

const losses = (statement: string) => cqlLosses(statement, "twitch_chat");

describe("cqlLosses: which CQL statements delete data", () => {
  it.each([
    ["DROP KEYSPACE twitch_chat", [{ kind: "keyspace", keyspace: "twitch_chat" }]],
    ["DROP KEYSPACE IF EXISTS Other", [{ kind: "keyspace", keyspace: "other" }]],
    [
      "DROP TABLE twitch_chat.raw_chat_messages",
      [{ kind: "table", keyspace: "twitch_chat", table: "raw_chat_messages" }],
    ],
    ['drop table if exists "Quoted"', [{ kind: "table", keyspace: "twitch_chat", table: "Quoted" }]],
    ["TRUNCATE raw_chat_messages", [{ kind: "table", keyspace: "twitch_chat", table: "raw_chat_messages" }]],
    ["TRUNCATE TABLE ks.t", [{ kind: "table", keyspace: "ks", table: "t" }]],
    [
      "ALTER TABLE twitch_chat.raw_chat_messages DROP emotes",
      [{ kind: "columns", keyspace: "twitch_chat", table: "raw_chat_messages", columns: ["emotes"] }],
    ],
    [
      "ALTER TABLE t DROP (a, b) USING TIMESTAMP 123",
      [{ kind: "columns", keyspace: "twitch_chat", table: "t", columns: ["a", "b"] }],
    ],
    ["DROP INDEX twitch_chat.by_user", [{ kind: "derived", keyspace: "twitch_chat", name: "by_user" }]],
    ["DROP MATERIALIZED VIEW v", [{ kind: "derived", keyspace: "twitch_chat", name: "v" }]],
    [
      "DELETE FROM twitch_chat.raw_chat_messages WHERE channel_id = 'x'",
      [{ kind: "matching-rows", keyspace: "twitch_chat", table: "raw_chat_messages", where: "channel_id = 'x'" }],
    ],
    [
      "DELETE emotes FROM t USING TIMESTAMP 5 WHERE channel_id = 'x' IF EXISTS",
      [{ kind: "matching-rows", keyspace: "twitch_chat", table: "t", where: "channel_id = 'x'" }],
    ],
    [
      "BEGIN BATCH INSERT INTO t (a) VALUES ('x;y'); DELETE FROM t WHERE a = 'z'; APPLY BATCH",
      [{ kind: "matching-rows", keyspace: "twitch_chat", table: "t", where: "a = 'z'" }],
    ],
  ])("%s deletes data", (statement, expected) => {
    expect(losses(statement)).toEqual(expected);
  });

  it.each([
    "CREATE TABLE IF NOT EXISTS twitch_chat.t (a text PRIMARY KEY)",
    "CREATE KEYSPACE IF NOT EXISTS k WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    "ALTER TABLE t ADD b text",
    "ALTER TABLE t WITH default_time_to_live = 3600",
    "INSERT INTO t (a) VALUES ('DROP TABLE t')",
    "UPDATE t SET b = 'x' WHERE a = 'y'",
    "DROP TYPE IF EXISTS my_type",
    "DROP FUNCTION f",
    "CREATE INDEX ON t (b)",
  ])("%s deletes nothing", (statement) => {
    expect(losses(statement)).toEqual([]);
  });
});
