/**
 * What the Kafka client's nested failures become in words: one
 * AggregateError per retry and per broker around the real cause. The real
 * broker's answers (a refused login, an untrusted CA) are checked in
 * __tests__/cluster/cluster-target.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  explainKafkaError,
  KafkaRefusedError,
  rootCauses,
  type KafkaClientTarget,
} from "../../../lib/adapters/kafka/kafka-admin";
import { ServiceUnreachableError } from "../../../lib/errors";

const target: KafkaClientTarget = {
  brokers: ["kafka-1:9093"],
  sasl: { mechanism: "scram-sha-512", username: "pipeline", password: "hunter2-secret" },
  describe: "kafka-1:9093 (SASL_SSL, SCRAM-SHA-512 as pipeline)",
};

/** The shape @platformatic/kafka throws: "metadata failed 2 times", each "Cannot connect to any broker", each the cause. */
function nested(cause: Error): Error {
  const perBroker = () => new AggregateError([cause], "Cannot connect to any broker.");
  return new AggregateError([perBroker(), perBroker()], "metadata failed 2 times.");
}
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("a Kafka client failure in words", () => {
  it("finds the innermost causes, each once", () => {
    expect(rootCauses(nested(coded("connect ECONNREFUSED 10.0.0.1:9093", "ECONNREFUSED")))).toEqual([
      { code: "ECONNREFUSED", message: "connect ECONNREFUSED 10.0.0.1:9093" },
    ]);
    expect(rootCauses("plain text")).toEqual([{ message: "plain text" }]);
  });

  it("a refused login names the settings and never the password", () => {
    const error = explainKafkaError(
      target,
      nested(coded("SASL authentication failed for hunter2-secret.", "PLT_KFK_PROTOCOL")),
    );
    expect(error).toBeInstanceOf(KafkaRefusedError);
    expect(error.message).toBe(
      "Kafka at kafka-1:9093 (SASL_SSL, SCRAM-SHA-512 as pipeline) refused the login: SASL authentication failed for (hidden). " +
        "Check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM.",
    );
  });

  it("an untrusted certificate names the CA setting", () => {
    const error = explainKafkaError(
      target,
      nested(coded("unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE")),
    );
    expect(error).toBeInstanceOf(KafkaRefusedError);
    expect(error.message).toMatch(
      /TLS failed \(unable to verify the first certificate\)\. Check KAFKA_CA_CERT and KAFKA_SECURITY_PROTOCOL\.$/,
    );
  });

  it("anything else is a Kafka that does not answer, with its cause", () => {
    const error = explainKafkaError(target, nested(coded("Request timed out", "PLT_KFK_NETWORK")));
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).toBe(
      "Kafka at kafka-1:9093 (SASL_SSL, SCRAM-SHA-512 as pipeline) does not answer (Request timed out).",
    );
  });
});
