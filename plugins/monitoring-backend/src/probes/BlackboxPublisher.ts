import { InputError } from '@backstage/errors';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StoredProbe } from '../database/ProbeStore';
import { httpServerName } from './targets';

/** Where the blackbox module file goes and which exporter reloads it. */
export interface BlackboxConfig {
  /** The exporter's `--config.file`; unset: modules are checked, not written. */
  configFile?: string;
  /** The exporter's base URL, for POST /-/reload. */
  url?: string;
  /** The exporter binary (checks the file with --config.check). */
  binary: string;
}

/** The blackbox module of probe `id`. */
export const probeModule = (id: number) => `opsdeck_probe_${id}`;

/** Seconds a probe may take: below its interval, at most 10 s. */
export const probeTimeout = (intervalSeconds: number) =>
  Math.min(10, intervalSeconds);

/**
 * The blackbox exporter's config: one module per probe (its expectations),
 * JSON (which is YAML). HTTP probes follow no redirects (a target cannot
 * send the exporter somewhere the target check refused). The discovered
 * target of a probe on a host name is the address opsdeck checked
 * (`pinTarget`); its module carries the name as the Host header and TLS
 * server name, so the server sees the request the name would get.
 */
export function renderBlackboxConfig(probes: StoredProbe[]): string {
  const modules: Record<string, unknown> = {};
  for (const p of probes) {
    // process and script probes are opsdeck's own (ProcessProber), not the exporter's
    if (p.kind === 'process' || p.kind === 'script') continue;
    const timeout = `${probeTimeout(p.intervalSeconds)}s`;
    const named = p.kind === 'http' ? httpServerName(p.target) : undefined;
    modules[probeModule(p.id)] =
      p.kind === 'tcp'
        ? { prober: 'tcp', timeout, tcp: { preferred_ip_protocol: 'ip4' } }
        : {
            prober: 'http',
            timeout,
            http: {
              preferred_ip_protocol: 'ip4',
              follow_redirects: false,
              method: 'GET',
              ...(named
                ? {
                    headers: { Host: named.hostHeader },
                    tls_config: { server_name: named.serverName },
                  }
                : {}),
              ...(p.expectStatus
                ? { valid_status_codes: [p.expectStatus] }
                : {}),
              ...(p.bodyRegex
                ? { fail_if_body_not_matches_regexp: [p.bodyRegex] }
                : {}),
            },
          };
  }
  return `${JSON.stringify({ modules }, null, 2)}\n`;
}

/** `--config.check` of the exporter (Go's RE2 compiles the regexes); InputError with its message. */
export function blackboxCheck(binary: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ['--config.check', `--config.file=${file}`],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve();
          return;
        }
        const detail =
          /err="([^\n]*)"/.exec(`${stdout}\n${stderr}`)?.[1] ??
          `${stdout}\n${stderr}`.split(file).join('config').slice(-1000);
        reject(
          new InputError(
            `the blackbox exporter refused the probe: ${detail.slice(0, 1000)}`,
          ),
        );
      },
    );
  });
}

/**
 * Checks the module file with the exporter itself, then (when configured)
 * replaces it atomically and reloads the exporter; any failure throws so
 * the caller's transaction keeps nothing.
 */
export class BlackboxPublisher {
  constructor(private readonly config: BlackboxConfig) {}

  async publish(probes: StoredProbe[]): Promise<void> {
    const content = renderBlackboxConfig(probes);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'opsdeck-blackbox-'));
    try {
      const candidate = path.join(dir, 'blackbox.yml');
      await fs.writeFile(candidate, content);
      await blackboxCheck(this.config.binary, candidate);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    if (!this.config.configFile) return;
    const file = this.config.configFile;
    const previous = await fs.readFile(file, 'utf8').catch(() => undefined);
    const replace = async (text: string) => {
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, file);
    };
    await replace(content);
    try {
      await this.reload();
    } catch (e) {
      if (previous !== undefined) await replace(previous);
      else await fs.rm(file, { force: true });
      throw e;
    }
  }

  private async reload() {
    if (!this.config.url) return;
    const res = await fetch(`${this.config.url}/-/reload`, {
      method: 'POST',
      signal: AbortSignal.timeout(30_000),
    }).catch(e => {
      throw new Error(`blackbox exporter reload failed: ${(e as Error).name}`);
    });
    if (!res.ok) {
      throw new Error(
        `blackbox exporter reload failed: HTTP ${res.status} ${(
          await res.text()
        ).slice(0, 500)}`,
      );
    }
  }
}
