/**
 * What exists outside the state, as the deploy tells the stack runner: the
 * objects to adopt (import) when the state does not know them, a network or
 * volume whose cut-short creation did finish, and the network, usable by
 * the stacks that need it as soon as the runtime has it.
 */
import { NETWORK_NAME, STACK_NAMES } from "../../../names";
import type { ServiceRuntime } from "../../../runtime/service-runtime";
import type { AdoptableType } from "../../../adapters/terraform/adoption";

export interface Adoption {
  /** The id of an existing object to adopt into the state; undefined when there is none (or it is not the project's). */
  existing(type: AdoptableType, name: string): Promise<string | undefined>;
  /** Whether a network or volume whose creation was cut short exists as recorded (so it did finish). */
  createdAsRecorded(type: AdoptableType, name: string, id: string): Promise<boolean>;
  /** Whether the network stack's network can be used already, while its apply still runs. */
  usableEarly(stack: string): Promise<boolean>;
  /** Whether `stack` records only what exists as recorded and cannot change in place: the network stack, with its network there under the recorded id. */
  recordedAsLive(stack: string): Promise<boolean>;
}

export async function adoption(
  runtime: ServiceRuntime,
  access: {
    /** The topics the broker has. */
    readonly topics: () => Promise<readonly string[]>;
    /** The network's id as the network stack's state records it; undefined when it records none (or keeps its state elsewhere). */
    readonly recordedNetwork: () => string | undefined;
  },
): Promise<Adoption> {
  // The network as it was when the deploy started.
  const networkAtStart = await runtime.ownObject("network", NETWORK_NAME);
  const networkRecorded = access.recordedNetwork();
  const existing = async (type: AdoptableType, name: string): Promise<string | undefined> => {
    switch (type) {
      case "docker_network":
        // Any network of that name: the containers are attached to it by name.
        return (await runtime.inspect("network", [name])).get(name)?.id;
      case "docker_volume":
        // A volume's id is its name; one restored by hand carries no label, and is the user's data all the same.
        return (await runtime.hasVolume(name)) ? name : undefined;
      case "docker_container":
        // Only the project's own containers: anything else of that name is the user's, and the apply says so.
        return runtime.ownObject("container", name);
      case "kafka_topic":
        return (await access.topics()).includes(name) ? name : undefined;
    }
  };
  return {
    existing,
    async createdAsRecorded(type, name, id) {
      return (type === "docker_network" || type === "docker_volume") && (await existing(type, name)) === id;
    },
    /**
     * A Docker network cannot change in place: one there under the recorded
     * id is the recorded network, so a refresh of the network stack (2 s of
     * the provider's waiting) can find nothing the record does not say
     * (the runner still refreshes when the record's plan changes anything).
     * Gone, recreated or never recorded: refreshed as usual.
     */
    async recordedAsLive(stack) {
      if (stack !== STACK_NAMES.network || !networkRecorded) return false;
      return (await runtime.ownObject("network", NETWORK_NAME)) === networkRecorded;
    },
    /**
     * The network, once the runtime has the project's network and the
     * network stack has nothing to do to it: created by this deploy, or there
     * from the start as its state records it. Anything else (a network made
     * by hand, one the state does not know) waits for the apply, which adopts
     * or replaces it first.
     */
    async usableEarly(stack) {
      if (stack !== STACK_NAMES.network) return false;
      const id = await runtime.ownObject("network", NETWORK_NAME);
      if (!id) return false;
      return networkAtStart === undefined || (id === networkAtStart && id === networkRecorded);
    },
  };
}
