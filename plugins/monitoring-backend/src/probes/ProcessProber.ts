import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { hostFromEntity } from '@opsdeck/plugin-cmdb-common';
import {
  createCredentialResolver,
  shellQuote,
  type SshConnectionPool,
} from '@opsdeck/plugin-remote-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import type { ProbeScriptLanguage } from '@opsdeck/plugin-monitoring-common';
import type { ProbeStore } from '../database/ProbeStore';
import { probeTimeout } from './BlackboxPublisher';
import {
  SCRIPT_OUTPUT_BYTES,
  scriptMetrics,
  scriptOutcome,
  scriptPayload,
} from './ScriptProbe';

/**
 * A process name as `pgrep -x` matches it against the kernel's `comm`
 * (at most 15 bytes): letters, digits, `.`, `_` and `-`, not starting with
 * `-` or `.`. Anything else (spaces, shell metacharacters, quotes, slashes,
 * control characters, non-ASCII) is refused rather than escaped.
 */
const PROCESS_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$/;

/** The process name of a process probe; InputError when it is not one. */
export function parseProcessName(raw: string): string {
  if (typeof raw !== 'string' || !PROCESS_NAME.test(raw)) {
    throw new InputError(
      'A process probe names one process as pgrep -x matches it: 1 to 15 of A-Z a-z 0-9 . _ - (not starting with - or .)',
    );
  }
  return raw;
}

/**
 * The fixed command of a process probe: `pgrep -c -x -- NAME`, the name
 * checked by {@link parseProcessName} and quoted once more.
 */
export function pgrepCommand(name: string): string {
  return `pgrep -c -x -- ${shellQuote(parseProcessName(name))}`;
}

/** Bytes of a host's answer kept: a count is a few digits, the rest is cut. */
export const PROCESS_OUTPUT_BYTES = 256;

/** What one run of the probe found. */
export interface ProcessOutcome {
  success: boolean;
  /** Processes of that name, when the host answered a count. */
  count?: number;
  durationMs: number;
}

/**
 * The outcome of `pgrep -c -x` as the host answered: up only with exit 0
 * and a count of one or more; an answer that is not a count (a hostile or
 * broken host, cut output) is down and counts nothing.
 */
export function processOutcome(r: {
  exitCode: number | null;
  stdout: string;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}): ProcessOutcome {
  const m = /^(\d{1,7})\n?$/.exec(r.stdout);
  const parsed = !r.truncated && !r.timedOut && m ? Number(m[1]) : undefined;
  const count =
    parsed !== undefined &&
    ((r.exitCode === 0 && parsed > 0) || (r.exitCode === 1 && parsed === 0))
      ? parsed
      : undefined;
  return {
    success: r.exitCode === 0 && count !== undefined && count > 0,
    ...(count !== undefined ? { count } : {}),
    durationMs: r.durationMs,
  };
}

/** The outcome in Prometheus' text format, as the blackbox exporter names it. */
export function processMetrics(o: ProcessOutcome): string {
  const lines = [
    '# HELP probe_success Whether the named process runs on the host (opsdeck process probe)',
    '# TYPE probe_success gauge',
    `probe_success ${o.success ? 1 : 0}`,
    '# HELP probe_duration_seconds How long the probe took',
    '# TYPE probe_duration_seconds gauge',
    `probe_duration_seconds ${(o.durationMs / 1000).toFixed(3)}`,
  ];
  if (o.count !== undefined) {
    lines.push(
      '# HELP probe_process_count Processes of that name (pgrep -c -x)',
      '# TYPE probe_process_count gauge',
      `probe_process_count ${o.count}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What one run of a host probe sends, and how the host's answer becomes metrics. */
function hostCheck(probe: {
  kind: string;
  target: string;
  script?: string;
  language?: ProbeScriptLanguage;
}) {
  type Answer = Parameters<typeof processOutcome>[0];
  if (probe.kind === 'script') {
    const { command, stdin } = scriptPayload(
      probe.script ?? '',
      probe.language ?? 'sh',
    );
    return {
      command,
      stdin,
      maxOutputBytes: SCRIPT_OUTPUT_BYTES,
      metrics: (r: Answer) => scriptMetrics(scriptOutcome(r)),
    };
  }
  return {
    command: pgrepCommand(probe.target),
    stdin: undefined,
    maxOutputBytes: PROCESS_OUTPUT_BYTES,
    metrics: (r: Answer) => processMetrics(processOutcome(r)),
  };
}

/** The kinds of probe opsdeck runs on a host itself (it is their exporter). */
export const HOST_PROBE_KINDS = ['process', 'script'] as const;

const isHostProbe = (kind: string) =>
  (HOST_PROBE_KINDS as readonly string[]).includes(kind);

/**
 * Runs process and script probes when Prometheus scrapes them (opsdeck is
 * the exporter): the probe's host from the catalog, its login from the
 * vault at each run (`ssh-login` for that host, no person), then over SSH
 * through remote-node with a small output cap and the probe's timeout
 * (at most its interval) either one fixed `pgrep` or the probe's script
 * the way jobs send scripts (fixed wrapper, script on standard input). Only
 * metrics leave: never the host's output beyond a script's numeric first
 * line.
 */
export class ProcessProber {
  constructor(
    private readonly deps: {
      store: Pick<ProbeStore, 'get'>;
      ssh: Pick<SshConnectionPool, 'exec'>;
      vault: Pick<VaultService, 'getSecret'>;
      /** The entity as the plugin itself reads it (undefined: not in the catalog). */
      entityOf: (ref: string) => Promise<Entity | undefined>;
      defaultCredential?: string;
      logger: LoggerService;
      now?: () => number;
    },
  ) {}

  /** Each probe's last run (the probe as it ran, when, its answer). */
  private readonly runs = new Map<
    number,
    { as: string; at: number; answer: Promise<string> }
  >();

  /**
   * Prometheus' answer for probe `id`; NotFoundError when it is no process
   * or script probe on a host. The route is for the SD token, which only reads: a
   * probe runs at most once per half interval (two Prometheus replicas
   * scrape it), callers in between and at the same time share that run.
   */
  async metrics(id: number): Promise<string> {
    const probe = await this.deps.store.get(id);
    if (!probe || !isHostProbe(probe.kind)) {
      this.runs.delete(id);
      throw new NotFoundError(`No process or script probe ${id}`);
    }
    const now = (this.deps.now ?? Date.now)();
    const as = JSON.stringify([
      probe.entityRef,
      probe.target,
      probe.intervalSeconds,
      probe.language,
      probe.script,
    ]);
    const last = this.runs.get(id);
    if (
      last &&
      last.as === as &&
      now - last.at < (probe.intervalSeconds * 1000) / 2
    ) {
      return last.answer;
    }
    const answer = this.run(id, probe);
    this.runs.set(id, { as, at: now, answer });
    answer.catch(() => {
      if (this.runs.get(id)?.answer === answer) this.runs.delete(id);
    });
    return answer;
  }

  private async run(
    id: number,
    probe: NonNullable<Awaited<ReturnType<ProbeStore['get']>>>,
  ): Promise<string> {
    const entity = await this.deps.entityOf(probe.entityRef);
    const host = entity && hostFromEntity(entity);
    if (!host) throw new NotFoundError(`No process or script probe ${id}`);
    const metricsOf = probe.kind === 'script' ? scriptMetrics : processMetrics;
    const timeoutMs = Math.max(
      1000,
      probeTimeout(probe.intervalSeconds) * 1000 - 500,
    );
    const started = Date.now();
    try {
      const credentials = await createCredentialResolver({
        vault: this.deps.vault,
        defaultCredential: this.deps.defaultCredential,
        defaultCredentialSetting: 'opsdeck.monitoring.probes.defaultCredential',
      }).ssh({
        credential: host.credential,
        loginUser: host.loginUser,
        target: secretTarget({
          ref: host.entityRef,
          owner: host.owner,
          system: host.system,
          environment: host.environment,
        }),
      });
      const check = hostCheck(probe);
      const r = await this.deps.ssh.exec(
        { host: host.address, port: host.port, credentials },
        check.command,
        { stdin: check.stdin, timeoutMs, maxOutputBytes: check.maxOutputBytes },
      );
      return check.metrics(r);
    } catch (e) {
      // the error names the host, never the secret
      this.deps.logger.warn(
        `${probe.kind} probe ${id} on ${host.name} failed: ${String(
          (e as Error).message,
        ).slice(0, 200)}`,
      );
      return metricsOf({
        success: false,
        durationMs: Date.now() - started,
      });
    }
  }
}
