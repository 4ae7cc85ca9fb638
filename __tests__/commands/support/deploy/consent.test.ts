/** The data-loss gate's question at deploy, with a judge that answers what a test sets. */
import { describe, expect, it } from "vitest";
import { deployConsent } from "../../../../lib/commands/support/deploy/consent";
import type { Finding } from "../../../../lib/gate/findings";
import { CQL_CONSENT_ENV } from "../../../../lib/schema/applier";

const restart: Finding = {
  class: "restarts",
  stack: "kafka",
  subject: "container chatbattle-kafka",
  change: "is replaced",
};
const drop: Finding = {
  class: "loses-data",
  stack: "schema",
  subject: "cql/004_drop.cql statement 1 (line 2)",
  change: "drops column moderation of twitch_chat.raw_chat_messages with its values",
  measured: { text: "120 of the table's 300 row(s) hold a value in it.", rows: 120, exact: true },
  consent: "004_drop.cql#1",
};

function consent(findings: Finding[], allowDataLoss: boolean) {
  const said: string[] = [];
  const told: string[] = [];
  const asked: unknown[] = [];
  const review = deployConsent(
    {
      judge: async (_changes, options) => {
        asked.push(options);
        return findings;
      },
    },
    { allowDataLoss, say: (stack, line) => void said.push(`${stack}: ${line}`), tell: (text) => void told.push(text) },
  );
  return { review, said, told, asked };
}

describe("the deploy's consent", () => {
  it("applies what loses nothing, saying which service restarts", async () => {
    const { review, said, told } = consent([restart], false);
    expect(await review([], "before-anything")).toEqual({ apply: true, env: { [CQL_CONSENT_ENV]: "" } });
    expect(said).toEqual(["kafka: restarts a service: container chatbattle-kafka is replaced"]);
    expect(told).toEqual([]);
  });

  it("refuses a loss without --allow-data-loss, showing it counted and holding what it says it holds", async () => {
    const early = consent([drop], false);
    expect(await early.review([], "before-anything")).toEqual({ apply: false });
    expect(early.told[0]).toContain("120 of the table's 300 row(s) hold a value in it.");
    expect(early.told[0]).toContain("applied nothing of it");
    expect(early.told[0]).toContain("npm run deploy -- --allow-data-loss");
    const late = consent([drop], false);
    expect(await late.review([], "when-its-service-came-up")).toEqual({ apply: false });
    expect(late.told[0]).toContain("did not apply that stack");
    // A late review waits for Cassandra as long as the schema step would.
    expect(late.asked).toEqual([{ waitForCassandra: true }]);
  });

  it("with --allow-data-loss applies it, says so, and lets the schema step run exactly the statements shown", async () => {
    const { review, told } = consent([drop], true);
    expect(await review([], "before-anything")).toEqual({ apply: true, env: { [CQL_CONSENT_ENV]: "004_drop.cql#1" } });
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("120 of the table's 300 row(s)");
  });
});
