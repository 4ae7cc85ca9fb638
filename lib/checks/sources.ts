/**
 * Where the Terraform providers and the images will come from, checked in
 * seconds before anything runs: on a machine without the registries, a
 * deploy would otherwise fail deep inside `terraform init` or an image pull.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceRuntime } from "../runtime/service-runtime";
import type { CheckResult } from "./check-result";

type Env = Readonly<Record<string, string | undefined>>;

/** How long a registry may take to answer before it counts as unreachable. */
const PROBE_TIMEOUT_MS = 3000;

/** The Terraform registry the providers come from without a mirror. */
export const TERRAFORM_REGISTRY = "https://registry.terraform.io/.well-known/terraform.json";

/** Whether anything answers HTTP at `url` within the timeout (any status: 401 from a registry is an answer). */
export async function answers(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  try {
    await fetch(url, { method: "GET", signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    return true;
  } catch {
    return false;
  }
}

/** Whether the Terraform CLI configuration (TF_CLI_CONFIG_FILE) installs providers from a mirror. */
function mirrorConfigured(env: Env): string | undefined {
  const file = env.TF_CLI_CONFIG_FILE;
  if (!file || !existsSync(file)) return undefined;
  return /(filesystem_mirror|network_mirror)/.test(readFileSync(file, "utf8")) ? file : undefined;
}

/** Whether every synthesized stack that needs providers has them installed already (init then has nothing to fetch). */
function providersInstalled(outdir: string): boolean {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) return false;
  const stacks = Object.values(
    JSON.parse(readFileSync(manifestPath, "utf8")).stacks as Record<
      string,
      { workingDirectory: string; synthesizedStackPath: string }
    >,
  );
  return stacks.every((stack) => {
    const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8"));
    const needs = Object.keys(json.terraform?.required_providers ?? {}).length > 0;
    return !needs || existsSync(join(outdir, stack.workingDirectory, ".terraform", "providers"));
  });
}

/** Terraform can get its providers: from a mirror, from what is installed, or from the registry. */
export async function checkProviderSource(
  env: Env,
  outdir: string,
  registry = TERRAFORM_REGISTRY,
): Promise<CheckResult> {
  const check = "providers";
  const mirror = mirrorConfigured(env);
  if (mirror) return { check, ok: true, detail: `from the mirror configured in ${mirror}` };
  if (providersInstalled(outdir)) return { check, ok: true, detail: "installed in cdktf.out by an earlier deploy" };
  if (await answers(registry))
    return { check, ok: true, detail: `from the Terraform registry (${new URL(registry).host})` };
  // A TF_CLI_CONFIG_FILE of the user's own wins over the one .offline/env sets: say so, or the
  // advice to run offline:toolchain would send someone who has in circles.
  const file = env.TF_CLI_CONFIG_FILE;
  const own = file
    ? `TF_CLI_CONFIG_FILE=${file} ${existsSync(file) ? "configures no mirror" : "names no file"}, and a variable set in your environment wins over .offline/env: unset it, or `
    : "";
  return {
    check,
    ok: false,
    detail: `the Terraform registry (${new URL(registry).host}) does not answer and no provider mirror is set up: ${own}run npm run offline:toolchain (it builds them into a mirror; npm commands then load .offline/env)`,
  };
}

/**
 * The images a deploy needs are here, or their registries answer so that
 * they can be pulled. One line for the images that can come from nowhere.
 */
export async function checkImageSources(
  runtime: ServiceRuntime,
  images: readonly string[],
  probe: (url: string) => Promise<boolean> = answers,
): Promise<CheckResult> {
  const check = "images";
  const absent = await runtime.absentImages(images);
  const registryOf = (image: string) => runtime.registryOf(image);
  if (absent.length === 0) return { check, ok: true, detail: `all ${images.length} here` };
  const registries = [...new Set(absent.map((image) => registryOf(image).url))];
  const answering = new Set(
    (await Promise.all(registries.map(async (url) => ((await probe(url)) ? url : undefined)))).filter(Boolean),
  );
  const stranded = absent.filter((image) => !answering.has(registryOf(image).url));
  if (stranded.length === 0)
    return {
      check,
      ok: true,
      detail: `${absent.join(", ")} will be pulled (${[...new Set(absent.map((i) => registryOf(i).host))].join(", ")} answers)`,
    };
  return {
    check,
    ok: false,
    detail:
      `${stranded.join(", ")} ${stranded.length === 1 ? "is" : "are"} not on this ${runtime.name} engine and ${[...new Set(stranded.map((i) => registryOf(i).host))].join(", ")} does not answer: ` +
      "run npm run offline:images (it builds stand-ins; npm commands then load .offline/env), or set the image in .env to one you have",
  };
}
