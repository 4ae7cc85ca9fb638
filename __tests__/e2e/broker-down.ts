import { expect } from "vitest";
import { consumed, partitionsLedBy, produce, type KafkaAccess } from "./clients";
import type { StepResult, Steps } from "./steps";

/** Both declared topics' three partitions each with one replica out of sync, as health words it. */
const ALL_SIX_UNDER_REPLICATED =
  /channel-stats 0,1,2 \(2 of 3 in sync\); twitch-chat-messages 0,1,2 \(2 of 3 in sync\)/;

/**
 * Waits (up to `timeoutMs`) until broker `down` leads none of `topic`'s
 * partitions: a stopped broker hands them over as it shuts down, a killed one
 * only once the controller fences it (its session timeout), and until then a
 * producer keeps retrying the dead leader and may give up.
 */
async function leadersMovedOff(access: KafkaAccess, topic: string, down: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const led = await partitionsLedBy(access, topic, down);
    if (led === 0) return;
    if (Date.now() > deadline)
      throw new Error(`broker ${down} still leads ${led} partition(s) of ${topic} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * With one of three brokers (`down`) down: once the others lead every
 * partition, a message produced with acks=all still comes back to a
 * consumer, and `npm run health` (run again for up to 60 s, while the broker
 * is fenced and leaves the in-sync replicas) names every declared partition
 * under-replicated. Returns that health run.
 */
export async function roundTripAndHealthWithBrokerDown(
  steps: Steps,
  access: KafkaAccess,
  down: number,
  value: string,
  step: string,
): Promise<StepResult> {
  await leadersMovedOff(access, "twitch-chat-messages", down);
  await produce(access, "twitch-chat-messages", value);
  expect(await consumed(access, "twitch-chat-messages", value)).toBe(true);
  return steps.runUntil(step, ["npm", "run", "--silent", "health"], 90, ALL_SIX_UNDER_REPLICATED, 60);
}
