import { LoggerService } from '@backstage/backend-plugin-api';
import {
  fanOut,
  type SshConnectionPool,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
import {
  CredentialResolver,
  memoizeCredentialResolver,
} from '../credentials/CredentialResolver';
import { FactsOutcome, HostRecord, HostStore } from '../database/HostStore';
import { FACTS_COMMAND, parseFacts } from './parseFacts';

/** The part of the SSH core the collector uses. */
export type SshExec = Pick<SshConnectionPool, 'exec'>;

/** Collects host facts over SSH into the store. */
export class FactCollector {
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: {
      store: HostStore;
      ssh: SshExec;
      credentials: CredentialResolver;
      logger: LoggerService;
      concurrency?: number;
      timeoutMs?: number;
    },
  ) {
    this.concurrency = deps.concurrency ?? 20;
    this.timeoutMs = deps.timeoutMs ?? 30_000;
  }

  /** The SSH target of a host (resolves its credential). */
  async target(
    host: HostRecord,
    credentials: CredentialResolver = this.deps.credentials,
  ): Promise<SshTarget> {
    return {
      host: host.address,
      port: host.port,
      credentials: await credentials.resolve(host),
    };
  }

  /** Connects and runs the facts command on one host; never throws. */
  async probe(
    host: HostRecord,
    signal?: AbortSignal,
    credentials?: CredentialResolver,
  ): Promise<FactsOutcome> {
    try {
      const target = await this.target(host, credentials);
      const r = await this.deps.ssh.exec(target, FACTS_COMMAND, {
        timeoutMs: this.timeoutMs,
        signal,
      });
      if (r.timedOut) {
        throw new Error(`Fact collection timed out after ${this.timeoutMs} ms`);
      }
      if (r.cancelled) throw new Error('Fact collection was cancelled');
      return { reachable: true, facts: parseFacts(r.stdout) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { reachable: false, error: message };
    }
  }

  /** Collects one host now and records the outcome. */
  async collectOne(host: HostRecord): Promise<FactsOutcome> {
    const outcome = await this.probe(host);
    await this.deps.store.recordFacts(host.name, outcome);
    return outcome;
  }

  /** Collects every host of the index; returns counts. */
  async collectAll(
    signal?: AbortSignal,
  ): Promise<{ hosts: number; reachable: number; unreachable: number }> {
    const totals = { hosts: 0, reachable: 0, unreachable: 0 };
    // One vault read per credential for the whole run, not one per host.
    const credentials = memoizeCredentialResolver(this.deps.credentials);
    for await (const page of this.deps.store.records(undefined, 1000)) {
      if (signal?.aborted) break;
      const results = await fanOut(
        page,
        async (host, ctx) => {
          const outcome = await this.probe(host, ctx.signal, credentials);
          await this.deps.store.recordFacts(host.name, outcome);
          return outcome;
        },
        { concurrency: this.concurrency, signal },
      );
      for (const r of results) {
        totals.hosts++;
        if (r.ok && r.value.reachable) totals.reachable++;
        else totals.unreachable++;
      }
    }
    this.deps.logger.info(
      `Collected facts of ${totals.hosts} hosts: ${totals.reachable} reachable, ${totals.unreachable} unreachable`,
    );
    return totals;
  }
}
