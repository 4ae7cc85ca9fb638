import { describe, expect, it } from "vitest";
import { goDuration } from "../../lib/constructs/go-duration";

describe("goDuration", () => {
  it.each([
    [0, "0s"],
    [5, "5s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [600, "10m0s"],
    [3600, "1h0m0s"],
    [3661, "1h1m1s"],
  ])("%i s is %s, as Go's Duration.String() prints it", (seconds, expected) => {
    expect(goDuration(seconds)).toBe(expected);
  });

  it.each([-1, 1.5, NaN])("refuses %s", (seconds) => {
    expect(() => goDuration(seconds)).toThrow(RangeError);
  });
});
