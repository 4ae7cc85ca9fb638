import { runDockerAsync } from "./docker-cli";
import type { StoppableContainer, StopOutcome } from "../../runtime/service-runtime";

/** Docker's own margin on top of a grace period before the call counts as hung. */
const DEADLINE_MARGIN_SECONDS = 30;

/**
 * Stops the running ones of `containers` through Docker, each with its grace
 * period, in waves: those that nothing needs first, all at once, then the
 * ones they needed (a broker before its ZooKeeper, as Compose does). A stop
 * is what Terraform's destroy does first anyway; done here, side by side and
 * ahead of Terraform's own start, it costs the slowest shutdown once.
 * Containers that are absent or already stopped are skipped.
 */
export async function stopGracefully(containers: readonly StoppableContainer[]): Promise<StopOutcome[]> {
  const outcomes: StopOutcome[] = [];
  let left = [...containers];
  while (left.length > 0) {
    const needed = new Set(left.flatMap((c) => c.needs));
    let wave = left.filter((c) => !needed.has(c.name));
    // A cycle cannot come from Terraform's graph; should one appear, stop the rest together.
    if (wave.length === 0) wave = left;
    outcomes.push(...(await Promise.all(wave.map(stopOne))));
    left = left.filter((c) => !wave.includes(c));
  }
  return outcomes;
}

async function stopOne(container: StoppableContainer): Promise<StopOutcome> {
  const state = await runDockerAsync(["inspect", "--format", "{{.State.Running}}", container.name]);
  if (state.stdout !== "true") return { name: container.name };
  const started = Date.now();
  const result = await runDockerAsync(["stop", "--time", String(container.graceSeconds), container.name], {
    deadlineSeconds: container.graceSeconds + DEADLINE_MARGIN_SECONDS,
  });
  const seconds = (Date.now() - started) / 1000;
  // Removed meanwhile (by a Terraform destroy running alongside): it is stopped too.
  const gone = /No such container/i.test(result.stderr);
  return result.status === 0 || gone
    ? { name: container.name, seconds }
    : { name: container.name, seconds, error: result.stderr };
}
