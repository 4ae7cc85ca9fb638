import { describe, expect, it } from "vitest";
import { formatLogLine, parseLogLine } from "../../../lib/commands/support/log-lines";

describe("npm run logs lines", () => {
  it("splits Docker's timestamp from the text", () => {
    expect(parseLogLine("kafka", "2026-11-29T15:08:11.366123456Z [2026-11-29 15:08:11,366] INFO started")).toEqual({
      service: "kafka",
      time: "2026-11-29T15:08:11.366123456Z",
      text: "[2026-11-29 15:08:11,366] INFO started",
    });
    expect(parseLogLine("kafka", "2026-11-29T15:08:11.366123456Z ").text).toBe("");
  });

  it("gives a line without a timestamp (a wrapped one) the time of the line before", () => {
    expect(parseLogLine("cassandra", "\tat java.lang.Thread.run", "2026-11-29T15:00:00.1Z")).toEqual({
      service: "cassandra",
      time: "2026-11-29T15:00:00.1Z",
      text: "\tat java.lang.Thread.run",
    });
  });

  it("prefixes each line with its service, padded like docker-compose", () => {
    expect(formatLogLine({ service: "kafka", time: "", text: "hello" }, 9)).toBe("kafka     | hello");
  });
});
