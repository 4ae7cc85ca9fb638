/**
 * Deploy's first step on a new machine: every image that is not on the
 * Docker engine is pulled before any stack runs, all at once, with each
 * image's progress in MB (the Docker provider would pull them one resource
 * at a time and say only "Still creating…"). A pull that fails stops the
 * deploy before anything changed, naming the image, the registry's answer and
 * the fix.
 */
import type { ChatBattleConfig } from "../../config/config";
import { deployedServices, localImages } from "../../topology/local-topology";
import type { SettingName } from "../../config/settings";
import type { PullOutcome, PullProgress, ServiceRuntime } from "../../runtime/service-runtime";

/** Seconds without any word from the engine before a pull counts as hung (a layer's progress comes every second or so). */
const PULL_STALL_SECONDS = 120;
/** How often a line per image is printed when the output is not a terminal (a pull done sooner prints only its "done" line). */
const LOG_EVERY_MS = 5000;

const MB = 1024 * 1024;

/** "312.4 of 780.1 MB, 4 of 9 layers" */
export function describeProgress(progress: PullProgress): string {
  const bytes =
    progress.totalBytes > 0
      ? `${(progress.doneBytes / MB).toFixed(1)} of ${(progress.totalBytes / MB).toFixed(1)} MB, `
      : "";
  return `${bytes}${progress.layersDone} of ${progress.layers} layers`;
}

/** What to do about a failed pull, from the registry's answer. */
export function pullAdvice(image: string, setting: SettingName, answer: string, host: string): string {
  if (/manifest unknown|not found|does not exist|no such image|invalid reference/i.test(answer)) {
    return `the registry (${host}) has no such image or tag: check the tag of ${setting} in .env (or unset it for the default)`;
  }
  if (/unauthorized|denied|authentication required|forbidden|no basic auth/i.test(answer)) {
    return (
      `${host} refused access to ${image}: run docker login ${host === "docker.io" ? "" : host}`.trimEnd() +
      ", then npm run deploy again"
    );
  }
  return `${host} could not be reached: check the network; on a machine without registry access run npm run offline:images (it builds stand-ins; npm commands then load .offline/env)`;
}

export interface ImagePullsOptions {
  /** Prints one line. */
  readonly say: (line: string) => void;
  /** Redraw the progress in place (a terminal) rather than a line per image every few seconds. */
  readonly inPlace: boolean;
  readonly signal?: AbortSignal;
}

/** Bytes downloaded over all pulls, each layer once (images built on the same layers share them). */
export function downloadedBytes(outcomes: readonly PullOutcome[]): number {
  const layers = new Map<string, number>();
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const [id, bytes] of outcome.layerBytes) layers.set(id, Math.max(bytes, layers.get(id) ?? 0));
  }
  return [...layers.values()].reduce((sum, bytes) => sum + bytes, 0);
}

/** Pulls the images the deploy needs and does not have; false (after saying why) when any pull failed. */
export async function pullMissingImages(
  config: ChatBattleConfig,
  runtime: ServiceRuntime,
  options: ImagePullsOptions,
): Promise<boolean> {
  const images = localImages(deployedServices(config));
  if (images.length === 0) return true;
  const absent = new Set(await runtime.absentImages(images.map((i) => i.image)));
  const missing = images.filter(({ image }) => absent.has(image));
  if (missing.length === 0) return true;
  const started = Date.now();
  options.say(
    `pull: ${missing.length} image(s) not on this ${runtime.name} engine, pulling side by side: ${missing.map((m) => m.image).join(", ")}`,
  );

  const width = Math.max(...missing.map((m) => m.image.length));
  const latest = new Map<string, PullProgress>();
  const lastLogged = new Map<string, number>();
  let drawnLines = 0;
  const draw = () => {
    const lines = missing.map(
      ({ image }) =>
        `pull: ${image.padEnd(width)}  ${latest.has(image) ? describeProgress(latest.get(image)!) : "waiting"}`,
    );
    process.stdout.write((drawnLines > 0 ? `\x1b[${drawnLines}A` : "") + lines.map((l) => `\x1b[2K${l}\n`).join(""));
    drawnLines = lines.length;
  };
  const onProgress = (progress: PullProgress) => {
    if (progress.layers === 0) return;
    latest.set(progress.image, progress);
    if (options.inPlace) return draw();
    const now = Date.now();
    if (now - (lastLogged.get(progress.image) ?? started) < LOG_EVERY_MS) return;
    lastLogged.set(progress.image, now);
    options.say(`pull: ${progress.image.padEnd(width)}  ${describeProgress(progress)}`);
  };

  const outcomes = await runtime.pull(
    missing.map((m) => m.image),
    { onProgress, stallSeconds: PULL_STALL_SECONDS, signal: options.signal },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = outcomes.filter((o) => !o.ok);
  const doneLines = outcomes.flatMap((outcome) => {
    const progress = latest.get(outcome.image);
    return outcome.ok
      ? [`pull: ${outcome.image.padEnd(width)}  done${progress ? `, ${describeProgress(progress)}` : ""}`]
      : [];
  });
  // In a terminal the block is redrawn a last time; elsewhere each image gets its line.
  if (options.inPlace && drawnLines > 0 && doneLines.length === missing.length) {
    process.stdout.write(`\x1b[${drawnLines}A` + doneLines.map((l) => `\x1b[2K${l}\n`).join(""));
  } else {
    for (const line of doneLines) options.say(line);
  }
  if (options.signal?.aborted) {
    options.say(`pull: interrupted after ${seconds} s; nothing was deployed`);
    return false;
  }
  if (failed.length === 0) {
    options.say(`pull: ${missing.length} image(s), ${(downloadedBytes(outcomes) / MB).toFixed(1)} MB, in ${seconds} s`);
    return true;
  }
  for (const outcome of failed) {
    if (outcome.ok) continue;
    const setting = missing.find((m) => m.image === outcome.image)!.setting;
    options.say(
      `pull: FAIL ${outcome.image}: the answer was "${outcome.answer}". ${pullAdvice(outcome.image, setting, outcome.answer, runtime.registryOf(outcome.image).host)}`,
    );
  }
  options.say(`pull: ${failed.length} of ${missing.length} image(s) could not be pulled; no stack was changed`);
  return false;
}
