import { describe, expect, it } from "vitest";
import { TOPICS } from "../lib/topics";

// The one place the seed's topics are written out: every other test reads them from TOPICS.
describe("the declared topics", () => {
  it("are the seed's: twitch-chat-messages (3 partitions, 7 days, delete) and channel-stats (3, 1 day, compact, dirty ratio 0.1)", () => {
    expect(TOPICS).toEqual([
      {
        name: "twitch-chat-messages",
        partitions: 3,
        config: { "retention.ms": "604800000", "cleanup.policy": "delete" },
      },
      {
        name: "channel-stats",
        partitions: 3,
        config: { "retention.ms": "86400000", "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1" },
      },
    ]);
  });
});
