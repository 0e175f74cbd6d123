import { isIP } from 'node:net';

/**
 * Loopback, private (RFC 1918, unique local), link-local and shared (CGNAT) addresses: where a
 * reverse proxy or load balancer talks to the app from, never a visitor on the internet.
 */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIP(address) === 4) {
    const [a = -1, b = -1] = address.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(address) === 6) {
    return (
      address === '::1' || /^f[cd][0-9a-f]{2}:/.test(address) || /^fe[89ab][0-9a-f]:/.test(address)
    );
  }
  return false;
}

/**
 * Watches the client addresses of the first requests while TRUST_PROXY is unset. When the first
 * `sample` of them all come from private or loopback addresses, the app almost surely sits behind
 * a proxy it does not believe: every visitor then has the proxy's address (the donation limits
 * per IP, login throttling and the audit log all see one address). Says so once; a public address
 * among them ends the watch silently.
 */
export class ProxyHint {
  private seen = 0;
  private done = false;
  private readonly addresses = new Set<string>();

  constructor(
    private readonly sample: number,
    private readonly warn: (message: string) => void,
  ) {}

  observe(ip: string | undefined): void {
    if (this.done) return;
    if (!ip || !isPrivateAddress(ip)) {
      this.done = true;
      return;
    }
    if (this.addresses.size < 3) this.addresses.add(ip);
    if (++this.seen < this.sample) return;
    this.done = true;
    this.warn(
      `TRUST_PROXY is unset and the first ${this.sample} requests all came from private or loopback ` +
        `addresses (${[...this.addresses].join(', ')}). If Lianxin runs behind a reverse proxy, set ` +
        `TRUST_PROXY to its address or hop count: until then every visitor has the proxy's address ` +
        `(limits per IP, login throttling, the audit log).`,
    );
  }
}
