import { join } from "node:path";
import { findProjectObjects } from "../../lib/adapters/docker/project-objects";
import { runTerraform } from "../../lib/adapters/terraform/terraform";

/** `terraform plan -detailed-exitcode` in each named stack of a project copy: 0 means nothing to do. */
export async function planExitCodes(
  projectDir: string,
  stacks: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Record<string, number | null>> {
  const runs = await Promise.all(
    stacks.map((stack) =>
      runTerraform(join(projectDir, "cdktf.out", "stacks", stack), ["plan", "-input=false", "-detailed-exitcode"], {
        env,
        deadlineSeconds: 180,
        label: `${stack}: plan`,
      }),
    ),
  );
  return Object.fromEntries(stacks.map((stack, i) => [stack, runs[i].status]));
}

/** Throws unless the Docker engine has no ChatBattle object: a test that deploys would replace them. */
export async function requireEmptyEngine(): Promise<void> {
  const existing = await findProjectObjects();
  if ([...existing.containers, ...existing.networks, ...existing.volumes].length > 0) {
    throw new Error(
      `This Docker engine already has ChatBattle objects (${[...existing.containers, ...existing.volumes].join(", ")}); ` +
        "this test would replace them. Run it where no stack is deployed (npm run reset removes one).",
    );
  }
}
