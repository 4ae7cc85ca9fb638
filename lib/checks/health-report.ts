import type { ClusterServiceHealth, ServiceHealth } from "./health";
import { formatTable } from "./table";

/** The health rows as a table for people. */
export function renderHealth(rows: readonly ServiceHealth[]): string {
  return formatTable(
    ["SERVICE", "CONTAINER", "STATE", "DOCKER", "READY", "DETAIL"],
    rows.map((r) => [r.service, r.container, r.state, r.dockerHealth, r.ready ? "yes" : "NO", r.detail]),
  );
}

/** The cluster target's rows as a table: no containers, the endpoints asked instead. */
export function renderClusterHealth(rows: readonly ClusterServiceHealth[]): string {
  return formatTable(
    ["SERVICE", "ENDPOINT", "READY", "DETAIL"],
    rows.map((r) => [r.service, r.endpoint, r.ready ? "yes" : "NO", r.detail]),
  );
}

/** The health rows as JSON for scripts: `healthy` is true only when every service is ready. */
export function healthJson(rows: readonly (ServiceHealth | ClusterServiceHealth)[]): string {
  return JSON.stringify({ healthy: rows.every((r) => r.ready), services: rows }, null, 2);
}
