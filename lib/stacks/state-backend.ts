import { LocalBackend, type TerraformStack } from "cdktf";

/** Folder, relative to the project root, that holds every stack's state. */
export const STATE_DIR = "state";

/**
 * Keeps the stack's state in <project>/state/<stack>.tfstate. The path is
 * relative to cdktf.out/stacks/<stack>/, where Terraform runs, so snapshots
 * stay machine-independent and deleting cdktf.out never loses state.
 */
export function useProjectState(stack: TerraformStack, stackName: string): void {
  new LocalBackend(stack, { path: `../../../${STATE_DIR}/${stackName}.tfstate` });
}
