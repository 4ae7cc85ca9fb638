/**
 * Which Cassandra release wrote the data volume, and whether the configured
 * image may open it: the same line, or the next one up (4.x to 5.0, which
 * reads 4.x's files), but never an older line, which cannot read what a
 * newer one wrote. Checked in pre-flight, before anything changes.
 *
 * The data's release is the running (or stopped) container's
 * CASSANDRA_VERSION, which the upstream images and the stand-ins set; with
 * no container (after npm run stop), the one the last deploy recorded in
 * state/cassandra-data.json for this very volume (by its creation time).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatBattleConfig } from "../config/config";
import { CONTAINER_NAMES, VOLUME_NAMES } from "../names";
import type { ServiceRuntime } from "../runtime/service-runtime";
import { STATE_DIR } from "../project-root";
import type { CheckResult } from "./check-result";

const RECORD_FILE = "cassandra-data.json";

interface Recorded {
  readonly volume: string;
  readonly createdAt: string;
  readonly version: string;
}

/** major.minor of a release ("4.1.10" → [4, 1]); undefined when it is not one. */
export function releaseLine(version: string | undefined): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version ?? "");
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** The release an image runs: its CASSANDRA_VERSION when it is on the engine, else the version in its tag. */
export async function imageRelease(runtime: ServiceRuntime, image: string): Promise<string | undefined> {
  const fromImage = (await runtime.configuredEnvironment("image", image))?.CASSANDRA_VERSION;
  return fromImage ?? /:(\d+\.\d+(?:\.\d+)?)(?:[-@]|$)/.exec(image)?.[1];
}

/** The release that last ran on the data volume, and how that is known; undefined when there is no volume. */
export async function dataRelease(
  runtime: ServiceRuntime,
  projectRoot: string,
): Promise<{ version?: string; source: string } | undefined> {
  const createdAt = await runtime.volumeCreatedAt(VOLUME_NAMES.cassandraData);
  if (!createdAt) return undefined;
  const running = await runtime.configuredEnvironment("container", CONTAINER_NAMES.cassandra);
  if (running) return { version: running.CASSANDRA_VERSION, source: `the ${CONTAINER_NAMES.cassandra} container` };
  const path = join(projectRoot, STATE_DIR, RECORD_FILE);
  if (!existsSync(path)) return { source: "nothing on record" };
  let recorded: Recorded;
  try {
    recorded = JSON.parse(readFileSync(path, "utf8")) as Recorded;
  } catch {
    return { source: `${join(STATE_DIR, RECORD_FILE)} cannot be read` };
  }
  if (recorded.volume === VOLUME_NAMES.cassandraData && recorded.createdAt === createdAt)
    return { version: recorded.version, source: "the last deploy's record" };
  return { source: "nothing on record" };
}

/** After a deploy: which release now runs on the volume, for a later deploy of a stopped stack. */
export async function recordDataRelease(
  runtime: ServiceRuntime,
  config: ChatBattleConfig,
  projectRoot: string,
): Promise<void> {
  const createdAt = await runtime.volumeCreatedAt(VOLUME_NAMES.cassandraData);
  const version = await imageRelease(runtime, config.images.cassandra);
  if (!createdAt || !version) return;
  mkdirSync(join(projectRoot, STATE_DIR), { recursive: true });
  writeFileSync(
    join(projectRoot, STATE_DIR, RECORD_FILE),
    `${JSON.stringify({ volume: VOLUME_NAMES.cassandraData, createdAt, version } satisfies Recorded, null, 2)}\n`,
  );
}

/** Whether `image` (at release `imageVersion`) may open data last written by `data`. */
export function judgeRelease(
  data: { version?: string; source: string } | undefined,
  image: string,
  imageVersion: string | undefined,
): CheckResult {
  const check = "Cassandra data";
  if (!data) return { check, ok: true, detail: `no Cassandra volume yet; ${image} starts fresh` };
  const [from, to] = [releaseLine(data.version), releaseLine(imageVersion)];
  if (!from || !to) {
    return {
      check,
      ok: true,
      detail: `cannot tell which release ${!from ? `wrote the volume (${data.source})` : `${image} is (no CASSANDRA_VERSION, no version in the tag)`}; not checked`,
    };
  }
  const written = `the volume was last run by Cassandra ${data.version} (${data.source})`;
  if (from[0] === to[0] && from[1] === to[1])
    return { check, ok: true, detail: `${written}; CASSANDRA_IMAGE runs the same line (${imageVersion})` };
  const older = to[0] < from[0] || (to[0] === from[0] && to[1] < from[1]);
  if (older) {
    return {
      check,
      ok: false,
      detail:
        `${written}, and CASSANDRA_IMAGE=${image} is Cassandra ${imageVersion}, an older line: it cannot read what ${from.join(".")} wrote, so nothing was changed. ` +
        `Set CASSANDRA_IMAGE back to a ${from.join(".")} image. To go back to ${to.join(".")} with the data: npm run snapshot -- save NAME, npm run reset, ` +
        `deploy with the ${to.join(".")} image, then npm run snapshot -- restore NAME.`,
    };
  }
  if (to[0] === 5 && from[0] !== 4) {
    return {
      check,
      ok: false,
      detail: `${written}; Cassandra ${imageVersion} upgrades from the 4.x lines only, so nothing was changed. Upgrade to 4.1 first.`,
    };
  }
  return {
    check,
    ok: true,
    detail:
      `${written}; upgrade to ${imageVersion}: the node is drained (nodetool drain) before its container is replaced, ` +
      `and ${to.join(".")} reads ${from.join(".")}'s files${to[0] === 5 ? " (it keeps writing them in 4.x's format: storage_compatibility_mode CASSANDRA_4, its default)" : ""}`,
  };
}

export async function checkCassandraRelease(
  runtime: ServiceRuntime,
  config: ChatBattleConfig,
  projectRoot: string,
): Promise<CheckResult> {
  const [data, version] = await Promise.all([
    dataRelease(runtime, projectRoot),
    imageRelease(runtime, config.images.cassandra),
  ]);
  return judgeRelease(data, config.images.cassandra, version);
}
