import { HOST_ENVIRONMENTS, HostEnvironment } from './types';

/** Vault credential names (same rule as the vault plugin). */
export const CREDENTIAL_NAME_PATTERN = /^[a-z0-9][a-z0-9-_.]{0,62}$/;

/** Login user names (POSIX-ish). */
export const LOGIN_USER_PATTERN = /^[a-z_][a-z0-9_.-]{0,31}$/i;

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function isIPv6(value: string): boolean {
  const v = value.split('%')[0]; // zone id
  if (!/^[0-9a-f:.]+$/i.test(v) || !v.includes(':')) return false;
  const doubles = v.split('::').length - 1;
  if (doubles > 1) return false;
  let groups = v.split(':').filter((g, i, all) => {
    // empty groups are only allowed around '::'
    return !(g === '' && (doubles === 1 || (i !== 0 && i !== all.length - 1)));
  });
  let count = 0;
  const last = groups[groups.length - 1];
  if (last && last.includes('.')) {
    if (!IPV4.test(last)) return false;
    count += 2;
    groups = groups.slice(0, -1);
  }
  for (const g of groups) {
    if (g === '') continue;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return false;
    count++;
  }
  return doubles === 1 ? count < 8 : count === 8;
}

/** True for an IPv4 address, an IPv6 address or a DNS name. */
export function isValidAddress(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253) {
    return false;
  }
  if (IPV4.test(value) || isIPv6(value)) return true;
  // all-numeric dotted names that are not IPv4 (e.g. 192.0.2.300) are rejected
  if (/^[\d.]+$/.test(value)) return false;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.split('.').every(label => DNS_LABEL.test(label));
}

/** True for an integer port 1-65535. */
export function isValidPort(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= 65535
  );
}

/** True for a well-formed vault credential name. */
export function isValidCredentialName(value: unknown): value is string {
  return typeof value === 'string' && CREDENTIAL_NAME_PATTERN.test(value);
}

/** True for one of {@link HOST_ENVIRONMENTS}. */
export function isHostEnvironment(value: unknown): value is HostEnvironment {
  return (HOST_ENVIRONMENTS as readonly unknown[]).includes(value);
}
