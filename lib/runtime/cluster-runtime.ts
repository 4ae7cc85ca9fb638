/**
 * The cluster target's runtime: the clusters run elsewhere and belong to
 * their owners, so the app keeps no containers, volumes or images there.
 * Listing the project's objects finds none; everything that would act on a
 * container says once, here, that it has no meaning on this target.
 */
import { UsageError } from "../errors";
import type { ServiceRuntime } from "./service-runtime";

/** Refused on the cluster target: what `command` does needs the local stack. */
export class LocalStackOnlyError extends UsageError {
  override name = "LocalStackOnlyError";
}

/** The one refusal of everything container-shaped on the cluster target. */
export function localStackOnly(command: string): LocalStackOnlyError {
  return new LocalStackOnlyError(
    `${command} acts on the local Docker stack, and CHATBATTLE_TARGET=cluster deploys none. ` +
      "On a cluster, npm run deploy, plan, preflight, health, topics and schema:verify apply; the app never removes the topics or the schema there.",
  );
}

const refused = (what: string) => () => Promise.reject(localStackOnly(what));

export class ClusterRuntime implements ServiceRuntime {
  readonly name = "the cluster";

  engine: ServiceRuntime["engine"] = () =>
    Promise.resolve({ ok: false, detail: "the cluster target runs no containers" });
  projectObjects: ServiceRuntime["projectObjects"] = () =>
    Promise.resolve({ containers: [], networks: [], volumes: [] });
  heldPorts: ServiceRuntime["heldPorts"] = () => Promise.resolve(new Map());
  inspect: ServiceRuntime["inspect"] = () => Promise.resolve(new Map());
  ownObject: ServiceRuntime["ownObject"] = () => Promise.resolve(undefined);
  hasVolume: ServiceRuntime["hasVolume"] = () => Promise.resolve(false);
  volumeCreatedAt: ServiceRuntime["volumeCreatedAt"] = () => Promise.resolve(undefined);
  volumeSizes: ServiceRuntime["volumeSizes"] = () => Promise.resolve(new Map<string, number>());
  configuredEnvironment: ServiceRuntime["configuredEnvironment"] = () => Promise.resolve(undefined);
  runningImage: ServiceRuntime["runningImage"] = () => Promise.resolve(undefined);
  imageId: ServiceRuntime["imageId"] = () => Promise.resolve(undefined);
  absentImages: ServiceRuntime["absentImages"] = () => Promise.resolve([]);
  registryOf: ServiceRuntime["registryOf"] = () => {
    throw localStackOnly("pulling images");
  };

  containerStatus: ServiceRuntime["containerStatus"] = refused("asking a container's state");
  exec: ServiceRuntime["exec"] = refused("running a command in a container");
  streamLogs: ServiceRuntime["streamLogs"] = refused("npm run logs");
  stop: ServiceRuntime["stop"] = refused("stopping containers");
  remove: ServiceRuntime["remove"] = refused("removing containers, networks or volumes");
  pull: ServiceRuntime["pull"] = refused("pulling images");
}
