import { describe, expect, it } from "vitest";
import { synthesize, PROJECT_ROOT, type StackName } from "../../test-support/synth";
import { homedir } from "node:os";

describe("synthesized stacks (default configuration)", () => {
  const synthesized = synthesize();

  it.each(Object.keys(synthesized.stacks) as StackName[])("%s matches its snapshot", (name) => {
    expect(synthesized.stacks[name]).toMatchSnapshot();
  });

  it("contains no machine-specific absolute path", () => {
    for (const text of Object.values(synthesized.texts)) {
      expect(text).not.toContain(PROJECT_ROOT);
      // The host's temporary folder shows up through the output folder, synthesized into it;
      // a bare "/tmp" may appear in paths inside the containers, which are the same everywhere.
      expect(text).not.toContain(synthesized.outdir);
      expect(text).not.toContain(homedir());
    }
  });
});
