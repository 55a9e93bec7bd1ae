/** Network addresses as the stack writes them: `host:port`, an IPv6 host in brackets. */

/**
 * PURE: splits `host[:port]` (`pi-1.local:9100`, `[fe80::1]:9100`, `:9100` for every interface,
 * as node_exporter's --web.listen-address takes it). Text that is not of that form comes back
 * whole as the host, without a port; a port is digits only, unchecked for range.
 */
export function splitHostPort(address: string): { host: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(address);
  if (!m) return { host: address };
  return m[2] === undefined ? { host: m[1]! } : { host: m[1]!, port: Number(m[2]) };
}

/** PURE: `address` with `port` added when it names none. */
export function withDefaultPort(address: string, port: number): string {
  return splitHostPort(address).port === undefined ? `${address}:${port}` : address;
}

/** PURE: the port of an address that names one (gen-config's normalised addresses all do). */
export function portOf(address: string): number {
  const { port } = splitHostPort(address);
  if (port === undefined) throw new Error(`${address} has no port`);
  return port;
}
