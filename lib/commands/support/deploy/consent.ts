/**
 * The data-loss gate's question to the user, at deploy: every planned change
 * judged and counted; one that loses data goes ahead only with
 * --allow-data-loss, and then exactly as shown (the CQL statements the user
 * saw are the only destructive ones the schema step may run).
 */
import { CQL_CONSENT_ENV } from "../../../schema/applier";
import { losesData } from "../../../gate/findings";
import { allowedMessage, refusalMessage } from "../../../gate/report";
import type { PlannedChange } from "../../../gate/planned-change";
import type { ChangeJudge } from "../../../checks/judge-changes";
import type { Review, ReviewMoment } from "../../../adapters/terraform/stack-runner";

export function deployConsent(
  judge: Pick<ChangeJudge, "judge">,
  options: {
    /** The user said --allow-data-loss. */
    readonly allowDataLoss: boolean;
    /** Prints a line for a stack. */
    readonly say: (stack: string, line: string) => void;
    /** Prints the refusal or the note of what is allowed. */
    readonly tell: (text: string) => void;
  },
): (changes: readonly PlannedChange[], moment: ReviewMoment) => Promise<Review> {
  /** The CQL statements that lose data which the user allowed, after seeing them: the schema step runs only those. */
  const consented = new Set<string>();
  return async (changes, moment) => {
    // The schema step runs right after a late review: Cassandra gets as long as the step would give it.
    const findings = await judge.judge(changes, { waitForCassandra: moment === "when-its-service-came-up" });
    for (const f of findings.filter((f) => f.class === "restarts"))
      options.say(f.stack, `restarts a service: ${f.subject} ${f.change}`);
    const losses = losesData(findings);
    if (losses.length > 0 && !options.allowDataLoss) {
      options.tell(
        refusalMessage(findings, {
          command: "deploy",
          held: moment === "before-anything" ? "applied nothing of it" : "did not apply that stack",
          undo: "undo the change (a setting such as KAFKA_TOPIC_PARTITIONS, lib/topics.ts or TOPICS_FILE, or a file in cql/) and deploy again",
          allow: "npm run deploy -- --allow-data-loss",
        }),
      );
      return { apply: false };
    }
    if (losses.length > 0) options.tell(allowedMessage("deploy", "--allow-data-loss", findings));
    for (const f of losses) if (f.consent) consented.add(f.consent);
    return { apply: true, env: { [CQL_CONSENT_ENV]: [...consented].join(",") } };
  };
}
