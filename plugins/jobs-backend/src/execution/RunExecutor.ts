import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  fanOut,
  wrapperCommand,
  wrapperStdin,
  type SshConnectionPool,
} from '@opsdeck/plugin-remote-node';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import { JobStore, NewRun, TickClaim } from '../database/JobStore';
import {
  HostSelector,
  HostStatus,
  JobLanguage,
  JobParameter,
  JobWebhook,
  Run,
  RunOptions,
  RunStatus,
  RunTrigger,
  TargetHost,
  WebhookDelivery,
  WebhookTrigger,
  AdhocCommand,
} from '../model';
import { dueTrigger } from '../notify/webhookTriggers';
import { createRunCredentials, RunVault } from './credentials';
import { OutputBuffer } from './OutputBuffer';
import { resolveParameters } from './parameters';
import { SecretMasker } from './secretMasker';

/** What to run, where and how. */
export interface RunRequest {
  job: {
    id: string;
    name: string;
    version: number;
    language: JobLanguage;
    script: string;
    parameters: JobParameter[];
    notifyOnFailure: boolean;
    webhook?: JobWebhook;
  };
  hosts: TargetHost[];
  /** Hosts recorded as skipped without running (with the reason). */
  skipped?: { host: TargetHost; reason: string }[];
  selector: HostSelector;
  /** Parameter values; a secret parameter's value names a vault credential. */
  params: Record<string, string>;
  options: RunOptions;
  trigger: RunTrigger;
  triggeredBy: string;
  scheduleId?: string;
  rerunOf?: string;
  /** Set for an ad-hoc run: `job` is then ADHOC_JOB with this command. */
  adhoc?: AdhocCommand;
}

type LiveHost = {
  stdout: OutputBuffer;
  stderr: OutputBuffer;
  flushed: number;
  /** Its output held a secret (flagged once). */
  secretPrinted: boolean;
};

type ActiveRun = {
  controller: AbortController;
  live: Map<string, LiveHost>;
  done: Promise<void>;
  /** Hides the run's secret parameter values (and encodings) in its output. */
  masker: SecretMasker;
};

const FAILED: HostStatus[] = ['failed', 'timed_out', 'error'];

/** The error text of a host that never started, by its status (null: none). */
const NOT_STARTED_ERROR: Partial<Record<HostStatus, string | null>> = {
  skipped: 'Not started: an earlier host failed',
  cancelled: null,
  interrupted: null,
};

/**
 * Runs jobs on hosts through the shared SSH pool: fan-out with a concurrency
 * bound, per-host timeout and retries, stop on first failure, cancel. Output
 * goes to the store while the run goes on (for live views on any replica);
 * each replica heartbeats its runs so the others can tell a dead one.
 */
export class RunExecutor {
  readonly runnerId: string;
  /**
   * Emits `change` with a run id whenever output arrives or a host or the run
   * changes on this replica, so live views need not wait for the next poll.
   */
  readonly events = new EventEmitter();
  private readonly active = new Map<string, ActiveRun>();
  private readonly maxOutputBytes: number;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private flushing = false;

  constructor(
    private readonly deps: {
      store: JobStore;
      ssh: Pick<SshConnectionPool, 'exec'>;
      /** Secrets are taken out at run time, checked against each credential's policy. */
      vault: RunVault;
      logger: LoggerService;
      notifyFailure?: (run: Run) => Promise<void>;
      /** A host of the run printed a secret parameter (once per host). */
      onSecretPrinted?: (runId: string, host: string) => Promise<void>;
      /** POSTs the run to the job's webhook for the trigger; never throws. */
      deliverWebhook?: (
        run: Run,
        webhook: JobWebhook,
        trigger: WebhookTrigger,
      ) => Promise<WebhookDelivery>;
      defaultCredential?: string;
      maxOutputBytes?: number;
      heartbeatMs?: number;
      flushMs?: number;
      runnerId?: string;
      /** The stable name of this backend instance (see backendInstanceName). */
      instance?: string;
    },
  ) {
    this.runnerId = deps.runnerId ?? randomUUID();
    this.events.setMaxListeners(0);
    this.maxOutputBytes = deps.maxOutputBytes ?? 1024 * 1024;
    this.timers.push(
      setInterval(() => this.beat(), deps.heartbeatMs ?? 5000),
      setInterval(() => this.flush(), deps.flushMs ?? 500),
    );
    for (const t of this.timers) t.unref();
  }

  /**
   * Creates the run and starts it in the background. With a schedule tick,
   * the tick is claimed in the transaction that inserts the run; undefined
   * when another replica claimed it.
   */
  start(req: RunRequest): Promise<Run>;
  start(req: RunRequest, tick: TickClaim): Promise<Run | undefined>;
  async start(req: RunRequest, tick?: TickClaim): Promise<Run | undefined> {
    if (this.stopping) throw new Error('The jobs executor is shutting down');
    if (req.hosts.length === 0 && !req.skipped?.length) {
      throw new InputError('The selector matches no host');
    }
    // fail fast on bad values, before anything is stored
    await resolveParameters(req.job.parameters, req.params);
    const newRun: NewRun = {
      job: req.job,
      trigger: req.trigger,
      triggeredBy: req.triggeredBy,
      scheduleId: req.scheduleId,
      rerunOf: req.rerunOf,
      selector: req.selector,
      params: req.params,
      options: req.options,
      hosts: req.hosts,
      skipped: req.skipped,
      runnerId: this.runnerId,
      instance: this.deps.instance,
      adhoc: req.adhoc,
    };
    const run = tick
      ? await this.deps.store.createRun(newRun, tick)
      : await this.deps.store.createRun(newRun);
    if (!run) return undefined;
    const entry: ActiveRun = {
      controller: new AbortController(),
      live: new Map(),
      done: Promise.resolve(),
      masker: new SecretMasker([]),
    };
    this.active.set(run.id, entry);
    entry.done = this.execute(run.id, req, entry)
      .catch(e => this.deps.logger.error(`Run ${run.id} failed: ${String(e)}`))
      .finally(() => this.active.delete(run.id));
    return run;
  }

  /** Asks the run to stop, on whichever replica runs it. */
  async cancel(runId: string): Promise<boolean> {
    const requested = await this.deps.store.requestCancel(runId);
    this.active.get(runId)?.controller.abort();
    return requested;
  }

  /** Resolves once the run (started here) has finished. */
  async waitFor(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /**
   * A host's output as it is now, when the run executes on this replica and
   * the host is running (secrets already masked); undefined otherwise.
   */
  liveOutput(
    runId: string,
    host: string,
  ): { stdout: string; stderr: string; truncated: boolean } | undefined {
    const run = this.active.get(runId);
    const live = run?.live.get(host);
    if (!run || !live) return undefined;
    const { stdout, stderr } = this.masked(run, live, false, false);
    return {
      stdout,
      stderr,
      truncated: live.stdout.truncated || live.stderr.truncated,
    };
  }

  /**
   * A host's output with the run's secrets masked; while the host runs
   * (`final: false`) a possible beginning of a secret at the end is held back.
   * `printed` is true the first time a secret shows in what is being stored
   * (`storing`); reading the live output never uses up the flag, so the store
   * and the audit always hear of it.
   */
  private masked(
    run: ActiveRun,
    live: LiveHost,
    final: boolean,
    storing = true,
  ) {
    const out = run.masker.mask(live.stdout.text(), final);
    const err = run.masker.mask(live.stderr.text(), final);
    const printed = storing && (out.found || err.found) && !live.secretPrinted;
    if (printed) live.secretPrinted = true;
    return { stdout: out.text, stderr: err.text, printed };
  }

  /** Tells the store (and the audit) that a host printed a secret. */
  private async flagSecret(runId: string, host: string) {
    await this.deps.store.updateRunHost(runId, host, { secretPrinted: true });
    await this.deps.onSecretPrinted?.(runId, host);
  }

  private changed(runId: string) {
    this.events.emit('change', runId);
  }

  /** Stops every run of this replica, marking them interrupted. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    const runs = [...this.active.values()];
    for (const r of runs) r.controller.abort();
    await Promise.all(runs.map(r => r.done));
    await this.deps.store.markInterrupted({ runnerId: this.runnerId });
  }

  /**
   * Marks the runs this instance's previous process left running as
   * interrupted, at once (it died: a crash or a kill); other replicas' runs
   * keep the heartbeat rule. Returns their ids.
   */
  async recoverOwnRuns(): Promise<string[]> {
    if (!this.deps.instance) return [];
    return this.deps.store.markInterrupted({
      instance: this.deps.instance,
      exceptRunner: this.runnerId,
    });
  }

  /** Forgets every run without touching the store (a crash, for tests). */
  abandon(): void {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.active.clear();
  }

  private async beat() {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    try {
      await this.deps.store.heartbeat(ids);
      // a cancel may have come through another replica
      for (const id of await this.deps.store.cancelRequested(ids)) {
        this.active.get(id)?.controller.abort();
      }
    } catch (e) {
      this.deps.logger.warn(`Jobs heartbeat failed: ${String(e)}`);
    }
  }

  private async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const [runId, run] of this.active) {
        for (const [host, live] of run.live) {
          const rev = live.stdout.revision + live.stderr.revision;
          if (rev === live.flushed) continue;
          live.flushed = rev;
          const { stdout, stderr, printed } = this.masked(run, live, false);
          await this.deps.store.updateRunHost(runId, host, {
            stdout,
            stderr,
            truncated: live.stdout.truncated || live.stderr.truncated,
          });
          if (printed) await this.flagSecret(runId, host);
          // output is stored while the host runs: a crash now must keep it
          if (stdout) crashPoint('jobs.run.output-stored');
        }
      }
    } catch (e) {
      this.deps.logger.warn(`Jobs output flush failed: ${String(e)}`);
    } finally {
      this.flushing = false;
    }
  }

  private async execute(runId: string, req: RunRequest, entry: ActiveRun) {
    const { store } = this.deps;
    const cancel = entry.controller.signal;
    const stop = new AbortController();
    const credentials = createRunCredentials({
      vault: this.deps.vault,
      defaultCredential: this.deps.defaultCredential,
      jobId: req.job.id,
      actor: req.triggeredBy.startsWith('user:') ? req.triggeredBy : undefined,
    });

    let env: Record<string, string>;
    try {
      const resolved = await resolveParameters(
        req.job.parameters,
        req.params,
        credentials,
        req.hosts,
      );
      env = resolved.env;
      entry.masker = new SecretMasker(resolved.secrets);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      for (const h of req.hosts) {
        await store.updateRunHost(runId, h.name, {
          status: 'skipped',
          finishedAt: Date.now(),
        });
      }
      await this.finish(runId, req, 'failed', error);
      return;
    }

    const command = wrapperCommand(req.job.language);
    const stdin = wrapperStdin(req.job.script, env);
    const { timeoutSeconds, retries, stopOnFirstFailure, concurrency } =
      req.options;

    const runHost = async (host: TargetHost) => {
      const live: LiveHost = {
        stdout: new OutputBuffer(this.maxOutputBytes),
        stderr: new OutputBuffer(this.maxOutputBytes),
        flushed: 0,
        secretPrinted: false,
      };
      const started = Date.now();
      await store.updateRunHost(runId, host.name, {
        status: 'running',
        startedAt: started,
      });
      entry.live.set(host.name, live);
      this.changed(runId);
      let status: HostStatus = 'error';
      let exitCode: number | null = null;
      let error: string | null = null;
      let attempts = 0;
      while (attempts <= retries && !cancel.aborted) {
        attempts++;
        live.stdout.reset();
        live.stderr.reset();
        error = null;
        exitCode = null;
        try {
          const r = await this.deps.ssh.exec(
            {
              host: host.address,
              port: host.port,
              credentials: await credentials.ssh(host),
            },
            command,
            {
              stdin,
              timeoutMs: timeoutSeconds * 1000,
              signal: cancel,
              maxOutputBytes: 1024,
              onStdout: c => {
                live.stdout.push(c);
                this.changed(runId);
              },
              onStderr: c => {
                live.stderr.push(c);
                this.changed(runId);
              },
            },
          );
          exitCode = r.exitCode;
          if (r.cancelled) status = 'cancelled';
          else if (r.timedOut) {
            status = 'timed_out';
            error = `Timed out after ${timeoutSeconds} s`;
          } else if (r.exitCode === 0) status = 'succeeded';
          else {
            status = 'failed';
            if (r.exitCode === null) {
              error = `Killed by signal ${r.signal ?? 'unknown'}`;
            }
          }
        } catch (e) {
          status = cancel.aborted ? 'cancelled' : 'error';
          error = e instanceof Error ? e.message : String(e);
        }
        if (status === 'succeeded' || status === 'cancelled') break;
      }
      if (cancel.aborted && status !== 'succeeded') status = 'cancelled';
      if (this.stopping && status === 'cancelled') status = 'interrupted';
      entry.live.delete(host.name);
      const output = this.masked(entry, live, true);
      await store.updateRunHost(runId, host.name, {
        status,
        exitCode,
        attempts,
        error,
        durationMs: Date.now() - started,
        stdout: output.stdout,
        stderr: output.stderr,
        truncated: live.stdout.truncated || live.stderr.truncated,
        finishedAt: Date.now(),
      });
      if (output.printed) await this.flagSecret(runId, host.name);
      this.changed(runId);
      if (FAILED.includes(status) && stopOnFirstFailure) stop.abort();
      return status;
    };

    const results = await fanOut(req.hosts, runHost, {
      concurrency,
      signal: AbortSignal.any([cancel, stop.signal]),
    });
    const statuses: HostStatus[] = [];
    for (const r of results) {
      if (r.ok) {
        statuses.push(r.value);
        continue;
      }
      // never started: cancelled, or skipped after a failure
      let status: HostStatus = cancel.aborted ? 'cancelled' : 'skipped';
      if (this.stopping) status = 'interrupted';
      if (r.error.name !== 'OperationCancelledError') status = 'error';
      statuses.push(status);
      await store.updateRunHost(runId, r.target.name, {
        status,
        error:
          status === 'error'
            ? r.error.message
            : NOT_STARTED_ERROR[status] ?? null,
        finishedAt: Date.now(),
      });
    }
    await this.flush();

    // hosts skipped from the start (not approved) count as not succeeded
    if (req.skipped?.length) statuses.push('skipped');

    let final: RunStatus = 'succeeded';
    if (this.stopping) final = 'interrupted';
    else if (cancel.aborted) final = 'cancelled';
    else if (statuses.some(s => s !== 'succeeded')) final = 'failed';
    await this.finish(runId, req, final);
  }

  /** Sets the final status, then notifies; a failed notification changes nothing. */
  private async finish(
    runId: string,
    req: RunRequest,
    final: RunStatus,
    error?: string,
  ) {
    const { store, logger } = this.deps;
    await store.finishRun(runId, final, error);
    this.changed(runId);
    const notify = final === 'failed' && req.job.notifyOnFailure;
    const webhook = req.job.webhook;
    const trigger = this.deps.deliverWebhook
      ? dueTrigger(webhook, final)
      : undefined;
    if (!notify && !trigger) return;
    const run = await store.getRun(runId);
    if (!run) return;
    if (notify && this.deps.notifyFailure) {
      await this.deps
        .notifyFailure(run)
        .catch(e =>
          logger.warn(
            `Failure notification of run ${runId} failed: ${String(e)}`,
          ),
        );
    }
    if (trigger && webhook) {
      try {
        const delivery = await this.deps.deliverWebhook!(run, webhook, trigger);
        await store.setWebhookDelivery(runId, { ...delivery, trigger });
        if (delivery.status === 'failed') {
          logger.warn(
            `Webhook of run ${runId} failed after ${delivery.attempts} attempts: ${delivery.error}`,
          );
        }
        this.changed(runId);
      } catch (e) {
        logger.warn(`Webhook of run ${runId} failed: ${String(e)}`);
      }
    }
  }
}
