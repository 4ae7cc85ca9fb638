/**
 * Removes everything of the local project: containers, networks, the data
 * volumes and every stack's Terraform state. What `npm run reset` does once
 * confirmed, and `npm run migrate` once its snapshot is saved. It talks to
 * runtime directly rather than through Terraform, so it also works when the
 * state is lost or the broker is down (destroying topics through Terraform
 * needs a live broker).
 */
import { rmSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ServiceRuntime } from "../../runtime/service-runtime";
import { removeDeployedStamp } from "../../checks/up-to-date";
import type { Interrupts } from "../../process/interrupts";
import { STATE_DIR, SYNTH_DIR } from "../../project-root";

/** What a removal would take away, by kind; every list empty when nothing is left. */
export interface ProjectRemoval {
  readonly plan: readonly (readonly [string, readonly string[]])[];
  readonly nothingLeft: boolean;
  /**
   * Removes it all, containers first; stops between steps on an interrupt.
   * `keep`: files of state/ to leave (the record of the migrate that removes
   * the stack). Returns whether it got through.
   */
  remove(interrupts: Interrupts, command: string, keep?: readonly string[]): Promise<boolean>;
}

export async function projectRemoval(runtime: ServiceRuntime, projectRoot: string): Promise<ProjectRemoval> {
  const found = await runtime.projectObjects();
  const stateDir = join(projectRoot, STATE_DIR);
  const stateFiles = existsSync(stateDir) ? readdirSync(stateDir).map((f) => join(STATE_DIR, f)) : [];
  const plan = [
    ["containers", found.containers],
    ["networks", found.networks],
    ["volumes (all data)", found.volumes],
    ["Terraform state", stateFiles],
  ] as const;
  return {
    plan,
    nothingLeft: plan.every(([, items]) => items.length === 0),
    async remove(interrupts, command, keep = []) {
      // Containers first: a volume or network in use cannot be removed. A signal is
      // handled between the steps: each call is short and has a deadline.
      // A step that fails (a volume another container uses, say) stops the removal there, saying why.
      const steps: [string, readonly string[], () => Promise<string | undefined>][] = [
        ["containers", found.containers, () => runtime.remove("container", found.containers)],
        ["networks", found.networks, () => runtime.remove("network", found.networks)],
        ["volumes", found.volumes, () => runtime.remove("volume", found.volumes)],
        [
          "Terraform state",
          stateFiles,
          async () => {
            if (keep.length === 0) rmSync(stateDir, { recursive: true, force: true });
            else
              for (const file of readdirSync(stateDir))
                if (!keep.includes(file)) rmSync(join(stateDir, file), { recursive: true, force: true });
            removeDeployedStamp(SYNTH_DIR);
            return undefined;
          },
        ],
      ];
      for (const [i, [name, items, remove]] of steps.entries()) {
        const left = () =>
          steps
            .slice(i)
            .filter(([, rest]) => rest.length > 0)
            .map(([what]) => what);
        if (interrupts.interrupted) {
          console.error(
            `${command}: interrupted; still there: ${left().join(", ") || "nothing"}. Run ${command === "migrate" ? "npm run migrate" : "npm run reset"} to finish.`,
          );
          return false;
        }
        const failed = items.length > 0 ? await remove() : undefined;
        if (failed) {
          console.error(
            `${command}: could not remove the ${name} (${failed}); still there: ${left().join(", ")}. Fix that (a container of yours using a volume?), then run ${command === "migrate" ? "npm run migrate" : "npm run reset"} again.`,
          );
          return false;
        }
      }
      return true;
    },
  };
}
