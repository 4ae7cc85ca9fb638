/**
 * Processes a killed run left behind, found and ended by pid: a Terraform
 * (asked to save its state) and provider plugins whose Terraform was killed
 * with -9, also once their stack folder is gone. Real processes, with the
 * names Terraform and its plugins run under.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leftoverTerraform, stopLeftoverTerraform } from "../../../lib/adapters/terraform/leftover-terraform";
import { isRunning } from "../../../lib/process/project-lock";

const started: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in process named `name`, working in `cwd`: what /proc shows of a Terraform or a plugin. */
function running(name: string, cwd: string): ChildProcess {
  const child = spawn("sleep", ["60"], { argv0: name, cwd, stdio: "ignore", detached: true });
  started.push(child);
  return child;
}

describe.runIf(process.platform === "linux")("leftover Terraform and its plugins", () => {
  it("finds Terraform and its provider plugins in the stacks folder, also once a stack's folder is deleted, and nothing outside it", async () => {
    const root = mkdtempSync(join(tmpdir(), "chatbattle-leftover-"));
    dirs.push(root);
    const stacks = join(root, "cdktf.out", "stacks");
    for (const stack of ["kafka", "topics"]) mkdirSync(join(stacks, stack), { recursive: true });
    const terraform = running("terraform", join(stacks, "kafka"));
    const plugin = running("terraform-provider-docker_v4.6.0", join(stacks, "kafka"));
    const orphan = running("terraform-provider-kafka_v0.13.1", join(stacks, "topics"));
    const elsewhere = running("terraform-provider-docker_v4.6.0", root);
    await new Promise((resolve) => setTimeout(resolve, 200));
    rmSync(join(stacks, "topics"), { recursive: true });
    const found = leftoverTerraform(stacks, "terraform");
    expect(found.map((f) => [f.pid, f.stack, f.plugin]).sort()).toEqual(
      [
        [terraform.pid, "kafka", false],
        [plugin.pid, "kafka", true],
        [orphan.pid, "topics", true],
      ].sort(),
    );
    const said: string[] = [];
    await stopLeftoverTerraform(stacks, "terraform", (line) => said.push(line), 5);
    for (const child of [terraform, plugin, orphan]) expect(isRunning(child.pid!)).toBe(false);
    expect(isRunning(elsewhere.pid!)).toBe(true);
    expect(said.join("\n")).toMatch(/ending provider plugins left running by a Terraform that was killed/);
  });
});
