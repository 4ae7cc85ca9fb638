/**
 * Which Cassandra image may open which data, without Docker: the same line
 * or the next one up goes ahead (an upgrade says it drains first); an older
 * line is refused, naming the way back with the data; an unknown release is
 * said, not guessed. (That 5.0 reads 4.1's data, and the refusal on a real
 * volume, are the e2e's to show.)
 */
import { describe, expect, it } from "vitest";
import { judgeRelease, releaseLine } from "../../lib/checks/cassandra-version";

const container = (version?: string) => ({ version, source: "the chatbattle-cassandra container" });

describe("the Cassandra data check", () => {
  it("reads a release's line", () => {
    expect(releaseLine("4.1.10")).toEqual([4, 1]);
    expect(releaseLine("5.0")).toEqual([5, 0]);
    expect(releaseLine("latest")).toBeUndefined();
  });

  it("passes a fresh volume and the same line", () => {
    expect(judgeRelease(undefined, "cassandra:4.1.11", "4.1.11")).toMatchObject({
      ok: true,
      detail: "no Cassandra volume yet; cassandra:4.1.11 starts fresh",
    });
    expect(judgeRelease(container("4.1.10"), "cassandra:4.1.11", "4.1.11").detail).toBe(
      "the volume was last run by Cassandra 4.1.10 (the chatbattle-cassandra container); CASSANDRA_IMAGE runs the same line (4.1.11)",
    );
  });

  it("lets 4.1 data go up to 5.0, saying the node is drained first and stays in 4.x's format", () => {
    const up = judgeRelease(container("4.1.10"), "cassandra:5.0.7", "5.0.7");
    expect(up.ok).toBe(true);
    expect(up.detail).toContain(
      "upgrade to 5.0.7: the node is drained (nodetool drain) before its container is replaced",
    );
    expect(up.detail).toContain("storage_compatibility_mode CASSANDRA_4");
  });

  it("refuses 5.0 data on a 4.1 image, naming the way back with a snapshot", () => {
    const down = judgeRelease({ version: "5.0.7", source: "the last deploy's record" }, "cassandra:4.1.11", "4.1.11");
    expect(down.ok).toBe(false);
    expect(down.detail).toBe(
      "the volume was last run by Cassandra 5.0.7 (the last deploy's record), and CASSANDRA_IMAGE=cassandra:4.1.11 is Cassandra 4.1.11, an older line: " +
        "it cannot read what 5.0 wrote, so nothing was changed. Set CASSANDRA_IMAGE back to a 5.0 image. To go back to 4.1 with the data: " +
        "npm run snapshot -- save NAME, npm run reset, deploy with the 4.1 image, then npm run snapshot -- restore NAME.",
    );
  });

  it("refuses a jump to 5.0 from before 4.0, and says what it cannot tell", () => {
    expect(judgeRelease(container("3.11.17"), "cassandra:5.0.7", "5.0.7")).toMatchObject({ ok: false });
    expect(judgeRelease({ source: "nothing on record" }, "cassandra:5.0.7", "5.0.7").detail).toBe(
      "cannot tell which release wrote the volume (nothing on record); not checked",
    );
    expect(judgeRelease(container("4.1.10"), "mine/cassandra:custom", undefined).detail).toContain(
      "cannot tell which release mine/cassandra:custom is",
    );
  });
});
