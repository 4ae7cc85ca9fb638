import type { ServiceProps } from "../constructs/service-container";
import type { LocalService, LocalTopology } from "../topology/local-topology";

/** What a service's construct is told about itself, from its entry in the topology. */
export function serviceProps<PortPurpose extends string>(
  topology: LocalTopology,
  service: LocalService,
  bindAddress: string,
): ServiceProps<PortPurpose> {
  return {
    containerName: service.container,
    image: service.image,
    networkName: topology.network,
    bindAddress,
    endpoint: service.endpoint,
    ports: Object.fromEntries(
      service.ports.map((p) => [p.purpose, { container: p.containerPort, host: p.hostPort }]),
    ) as ServiceProps<PortPurpose>["ports"],
    memoryMiB: service.memoryMiB,
  };
}
