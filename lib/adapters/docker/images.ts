/**
 * Images as Docker sees them: which of a list the engine lacks, and which
 * registry a reference would be pulled from.
 */
import { dockerAsync, runDockerAsync } from "./docker-cli";
import type { ImageRegistry } from "../../runtime/service-runtime";

/** The images of `images` that are not on the engine, in their order (inspected side by side). */
export async function absentImages(images: readonly string[]): Promise<string[]> {
  const present = await Promise.all(
    images.map(
      async (image) => (await runDockerAsync(["image", "inspect", "--format", "{{.Id}}", image])).status === 0,
    ),
  );
  return images.filter((_, i) => !present[i]);
}

/** The registry an image reference is pulled from, as Docker reads it: docker.io unless its first part names a host. */
export function registryOf(image: string): ImageRegistry {
  const first = image.split("/")[0];
  const named = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = named ? first : "registry-1.docker.io";
  // Docker pulls from a registry on the loopback over plain HTTP.
  const scheme = /^(localhost|127\.|\[::1\])/.test(host) ? "http" : "https";
  return { host: named ? host : "docker.io", url: `${scheme}://${host}/v2/` };
}

/** The environment an image or container was built or started with (its Config.Env); undefined when it is not on the engine. */
export async function configuredEnvironment(
  kind: "image" | "container",
  name: string,
): Promise<Record<string, string> | undefined> {
  const text = await dockerAsync([kind, "inspect", "--format", "{{json .Config.Env}}", name], { allowFailure: true });
  if (!text) return undefined;
  const entries = JSON.parse(text) as string[] | null;
  return Object.fromEntries((entries ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** When a volume was created, as Docker says (its identity: a volume removed and made again has another). */
export async function volumeCreatedAt(name: string): Promise<string | undefined> {
  return (
    (await dockerAsync(["volume", "inspect", "--format", "{{.CreatedAt}}", name], { allowFailure: true })) || undefined
  );
}
