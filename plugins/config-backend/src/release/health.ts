import type { HealthCheck } from '@opsdeck/plugin-config-common';
import { connect } from 'node:net';

/** One attempt of a resolved (rendered) health check; throws with the reason it failed. */
export type HealthProbe = () => Promise<void>;

const wait = (ms: number) => new Promise(r => setTimeout(r, ms));

/** The names a probe may reach for one host: its address and its name. */
export type ProbeHost = { address: string; name: string };

const bare = (host: string) =>
  host.replace(/^\[(.*)\]$/, '$1').toLocaleLowerCase('en-US');

/**
 * Refuses a probe of anything but the pushed host: a health check runs from
 * the backend, and must not reach the backend's own network (metadata
 * endpoints, internal services) for whoever edits a set.
 */
function checkOnHost(hostname: string, host: ProbeHost, what: string) {
  const allowed = [host.address, host.name].map(bare);
  if (!allowed.includes(bare(hostname))) {
    throw new Error(
      `${what} is not the host (${host.address}): a health check probes the host it pushed to`,
    );
  }
}

/** An HTTP GET from the backend: the status (default 200) and, if given, a text in the body. */
export function httpProbe(
  check: Extract<HealthCheck, { type: 'http' }>,
  timeoutMs: number,
  host: ProbeHost,
): HealthProbe {
  let url: URL;
  try {
    url = new URL(check.url);
  } catch {
    throw new Error(`HTTP health check needs a URL, got ${check.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`HTTP health check needs an http(s) URL, got ${check.url}`);
  }
  checkOnHost(url.hostname, host, check.url);
  return async () => {
    const res = await fetch(check.url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const body = await res.text();
    const status = check.expectStatus ?? 200;
    if (res.status !== status) {
      throw new Error(
        `${check.url} answered ${res.status}, expected ${status}`,
      );
    }
    if (check.expectBody && !body.includes(check.expectBody)) {
      throw new Error(`${check.url} does not contain "${check.expectBody}"`);
    }
  };
}

/** A TCP connect from the backend to host:port. */
export function tcpProbe(
  address: string,
  timeoutMs: number,
  on: ProbeHost,
): HealthProbe {
  const m = /^(.*):(\d+)$/.exec(address);
  if (!m) throw new Error(`TCP health check needs host:port, got ${address}`);
  const host = m[1].replace(/^\[(.*)\]$/, '$1');
  checkOnHost(host, on, address);
  const port = Number(m[2]);
  return () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${address}: no connection in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.end();
        resolve();
      });
      socket.once('error', e => {
        clearTimeout(timer);
        reject(new Error(`${address}: ${e.message}`));
      });
    });
}

/**
 * Tries `probe` until it passes or `attempts` ran out (a reload takes effect
 * asynchronously); throws the last failure.
 */
export async function passes(
  probe: HealthProbe,
  attempts: number,
  intervalMs: number,
): Promise<void> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      await probe();
      return;
    } catch (e) {
      last = e;
      if (i + 1 < attempts) await wait(intervalMs);
    }
  }
  throw new Error(`health check failed: ${(last as Error)?.message}`);
}
