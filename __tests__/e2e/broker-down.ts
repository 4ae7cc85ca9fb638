import { expect } from "vitest";
import { consumed, produce, type KafkaAccess } from "./clients";
import type { StepResult, Steps } from "./steps";

/** Both declared topics' three partitions each with one replica out of sync, as health words it. */
const ALL_SIX_UNDER_REPLICATED =
  /channel-stats 0,1,2 \(2 of 3 in sync\); twitch-chat-messages 0,1,2 \(2 of 3 in sync\)/;

/**
 * With one of three brokers down: a message produced with acks=all still
 * comes back to a consumer, and `npm run health` (run again for up to 60 s,
 * while the broker is fenced and leaves the in-sync replicas) names every
 * declared partition under-replicated. Returns that health run.
 */
export async function roundTripAndHealthWithBrokerDown(
  steps: Steps,
  access: KafkaAccess,
  value: string,
  step: string,
): Promise<StepResult> {
  await produce(access, "twitch-chat-messages", value);
  expect(await consumed(access, "twitch-chat-messages", value)).toBe(true);
  return steps.runUntil(step, ["npm", "run", "--silent", "health"], 90, ALL_SIX_UNDER_REPLICATED, 60);
}
