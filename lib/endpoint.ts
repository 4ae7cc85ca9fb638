/**
 * host:port as clients take it, with an IPv6 host in brackets ([::1]:9042);
 * the one way the app writes an address a client connects to.
 */
export function joinHostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The host (without brackets) and port of a joinHostPort address. */
export function splitHostPort(address: string): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new RangeError(`not a host:port address: ${JSON.stringify(address)}`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}
