/**
 * Before the cassandra stack is applied with another image than its running
 * container's (an upgrade): `nodetool drain`, so that the node flushes every
 * memtable and stops taking writes before Terraform replaces the container,
 * as Cassandra's upgrade steps ask. Its grace period would give it the
 * shutdown hook's flush anyway; draining first makes the step explicit and
 * leaves no commit log to replay.
 */
import type { ChatBattleConfig } from "../../../config/config";
import { CONTAINER_NAMES, STACK_NAMES } from "../../../names";
import { ServiceNotReadyError } from "../../../runtime/readiness";
import type { ServiceRuntime } from "../../../runtime/service-runtime";

/** nodetool drain flushes every memtable: seconds on a laptop's data, a deadline all the same. */
const DRAIN_DEADLINE_SECONDS = 300;

/** The step to run just before a stack is applied: a drain before Cassandra's container is replaced by another image's. */
export function drainBeforeUpgrade(
  config: ChatBattleConfig,
  runtime: ServiceRuntime,
  say: (stack: string, line: string) => void,
): (stack: string) => Promise<void> {
  return async (stack) => {
    if (stack !== STACK_NAMES.cassandra) return;
    const [running, wanted] = await Promise.all([
      runtime.runningImage(CONTAINER_NAMES.cassandra),
      runtime.imageId(config.images.cassandra),
    ]);
    if (!running?.running || running.imageId === wanted) return;
    say(
      stack,
      `draining ${CONTAINER_NAMES.cassandra} before its container is replaced by one of ${config.images.cassandra}: nodetool drain`,
    );
    const started = Date.now();
    const drained = await runtime.exec(CONTAINER_NAMES.cassandra, ["nodetool", "drain"], {
      deadlineSeconds: DRAIN_DEADLINE_SECONDS,
    });
    if (drained.status !== 0) {
      const why =
        drained.status === undefined
          ? `no answer within ${DRAIN_DEADLINE_SECONDS} s`
          : (drained.stderr || drained.stdout).trim().split("\n").slice(-1)[0];
      throw new ServiceNotReadyError(
        `nodetool drain on ${CONTAINER_NAMES.cassandra} failed (${why}), so its container was not replaced; see npm run logs -- cassandra, then deploy again.`,
      );
    }
    say(
      stack,
      `drained in ${((Date.now() - started) / 1000).toFixed(1)} s: every memtable flushed, no more writes taken`,
    );
  };
}
