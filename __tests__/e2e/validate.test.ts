/**
 * npm run validate's stack check against real Terraform and the real provider
 * builds (from the mirror that npm run offline:toolchain writes, or the
 * registry): a synthesized stack with an attribute the provider does not
 * have is rejected, naming it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../test-support/synth";
import { environmentWithoutSettings } from "../../test-support/project";
import { checkStack, readSynthesizedStacks } from "../../lib/adapters/terraform/synthesized-stacks";
import { offlineEnvironment } from "../../test-support/offline-env";

const work = mkdtempSync(join(tmpdir(), "chatbattle-validate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const outdir = join(work, "cdktf.out");
synthesize({}, { keepIn: outdir });
const env = { ...environmentWithoutSettings(), ...offlineEnvironment(), CHECKPOINT_DISABLE: "1" };
const stack = (name: string) => readSynthesizedStacks(outdir).find((s) => s.name === name)!;

describe("npm run validate's check of a stack", () => {
  it("passes the stacks as synthesized, against the provider build's own schema", async () => {
    for (const name of ["kafka", "topics"]) {
      const result = await checkStack(stack(name), env, { deadlineSeconds: 300 });
      expect(result.ok, result.detail).toBe(true);
    }
  });

  it("rejects an attribute the provider does not have, naming it", async () => {
    const file = join(stack("kafka").dir, "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    const container = Object.values(json.resource.docker_container)[0] as Record<string, unknown>;
    container.restart_policy_typo = "always";
    writeFileSync(file, JSON.stringify(json, null, 2));

    const result = await checkStack(stack("kafka"), env, { deadlineSeconds: 300 });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(
      /^validate: Error: Extraneous JSON object property .*No argument or block type is named "restart_policy_typo"/,
    );
  });
});
