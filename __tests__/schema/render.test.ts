import { describe, expect, it } from "vitest";
import { renderCql, replicationCql, TemplateError } from "../../lib/schema/render";

const simple = { strategy: "SimpleStrategy", replicationFactor: 1 } as const;

describe("renderCql", () => {
  it("fills the keyspace and replication in", () => {
    expect(
      renderCql(
        "CREATE KEYSPACE {{keyspace}} WITH REPLICATION = {{ replication }};",
        { keyspace: "twitch_chat", replication: simple },
        "f",
      ),
    ).toBe("CREATE KEYSPACE twitch_chat WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1};");
  });

  it("writes a NetworkTopologyStrategy map in a stable order", () => {
    expect(replicationCql({ strategy: "NetworkTopologyStrategy", perDatacenter: { eu: 3, us: 2 } })).toBe(
      "{'class': 'NetworkTopologyStrategy', 'eu': 3, 'us': 2}",
    );
  });

  it("refuses an unknown placeholder with file:line", () => {
    expect(() =>
      renderCql("SELECT 1;\nSELECT * FROM {{keyspce}}.t;", { keyspace: "k", replication: simple }, "cql/x.cql"),
    ).toThrow(
      new TemplateError("cql/x.cql:2: unknown placeholder {{keyspce}}; only {{keyspace}} and {{replication}} exist"),
    );
  });
});
