import { LoggerService } from '@backstage/backend-plugin-api';
import {
  createCredentialResolver,
  fanOut,
  HostKeyPendingError,
  type CredentialResolver,
  type SshConnectionPool,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
import type { RunningDigestsService } from '@opsdeck/plugin-registry-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import { FactsOutcome, HostRecord, HostStore } from '../database/HostStore';
import { hostImages } from './containers';
import { FACTS_COMMAND, parseFacts, parseFactsContainers } from './parseFacts';

/** The outcome of collecting one host, without its facts. */
export type CollectItem = {
  name: string;
  reachable: boolean;
  error?: string;
  hostKeyPending?: boolean;
};

/** Counts and one item per host of a collection run. */
export type CollectSummary = {
  hosts: number;
  reachable: number;
  unreachable: number;
  items: CollectItem[];
};

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
      /** Logins are taken out of the vault for `ssh-login` on each host. */
      vault: Pick<VaultService, 'getSecret'>;
      /** Credential of hosts that name none (`opsdeck.cmdb.defaultCredential`). */
      defaultCredential?: string;
      logger: LoggerService;
      /**
       * Where the host's containers' image digests are reported (source
       * `host:<entity ref>`, the registry plugin); none: not reported.
       */
      running?: Pick<RunningDigestsService, 'report'>;
      concurrency?: number;
      timeoutMs?: number;
    },
  ) {
    this.concurrency = deps.concurrency ?? 20;
    this.timeoutMs = deps.timeoutMs ?? 30_000;
  }

  /**
   * The credential resolver of one unit of work (a collection run, a
   * registration request), on behalf of `actor` when a person asked for it.
   * Drop it when the work ends so no secret outlives it.
   */
  credentials(actor?: string): CredentialResolver {
    return createCredentialResolver({
      vault: this.deps.vault,
      defaultCredential: this.deps.defaultCredential,
      defaultCredentialSetting: 'opsdeck.cmdb.defaultCredential',
      actor,
    });
  }

  /** The SSH target of a host (takes its credential out of the vault). */
  async target(
    host: HostRecord,
    credentials: CredentialResolver = this.credentials(),
  ): Promise<SshTarget> {
    return {
      host: host.address,
      port: host.port,
      credentials: await credentials.ssh({
        credential: host.credential,
        loginUser: host.loginUser,
        target: secretTarget({
          ref: host.entityRef,
          owner: host.owner,
          system: host.system,
          environment: host.environment,
        }),
      }),
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
      const facts = parseFacts(r.stdout);
      await this.reportRunning(host, r.stdout);
      return { reachable: true, facts };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return e instanceof HostKeyPendingError
        ? { reachable: false, error: message, hostKeyPending: true }
        : { reachable: false, error: message };
    }
  }

  /**
   * Tells the registry which image digests the host's containers run (an
   * empty list when it has no docker or podman, or runs nothing). A failed
   * report is logged; the facts still count.
   */
  private async reportRunning(host: HostRecord, stdout: string) {
    if (!this.deps.running) return;
    const images = hostImages(host.entityRef, parseFactsContainers(stdout));
    try {
      await this.deps.running.report(`host:${host.entityRef}`, images);
    } catch (e) {
      this.deps.logger.warn(
        `Running images of ${host.name} not reported: ${(e as Error).message}`,
      );
    }
  }

  /** Collects one host now and records the outcome. */
  async collectOne(host: HostRecord, actor?: string): Promise<FactsOutcome> {
    const outcome = await this.probe(host, undefined, this.credentials(actor));
    await this.deps.store.recordFacts(host.name, outcome);
    return outcome;
  }

  /**
   * Collects the given hosts now (a few at a time), records each outcome
   * and answers with one result per host, on behalf of `actor` when a person
   * asked for it.
   */
  async collectHosts(
    hosts: HostRecord[],
    options: { actor?: string; signal?: AbortSignal } = {},
  ): Promise<CollectSummary> {
    const summary: CollectSummary = {
      hosts: 0,
      reachable: 0,
      unreachable: 0,
      items: [],
    };
    await this.collectInto(
      summary,
      hosts,
      this.credentials(options.actor),
      options.signal,
    );
    return summary;
  }

  /**
   * Collects the hosts that log in with the credential `name` (those naming
   * it, and those naming none when it is the default credential): called
   * when the credential's secret was saved.
   */
  async collectForCredential(
    name: string,
    actor?: string,
  ): Promise<CollectSummary> {
    const hosts: HostRecord[] = [];
    for await (const page of this.deps.store.records(undefined, 1000)) {
      for (const host of page) {
        const used = host.credential ?? this.deps.defaultCredential;
        if (used === name) hosts.push(host);
      }
    }
    return this.collectHosts(hosts, { actor });
  }

  private async collectInto(
    summary: CollectSummary,
    hosts: HostRecord[],
    credentials: CredentialResolver,
    signal?: AbortSignal,
  ) {
    const results = await fanOut(
      hosts,
      async (host, ctx) => {
        const outcome = await this.probe(host, ctx.signal, credentials);
        await this.deps.store.recordFacts(host.name, outcome);
        return outcome;
      },
      { concurrency: this.concurrency, signal },
    );
    for (const r of results) {
      const outcome: FactsOutcome = r.ok
        ? r.value
        : { reachable: false, error: r.error.message };
      summary.hosts++;
      if (outcome.reachable) summary.reachable++;
      else summary.unreachable++;
      summary.items.push({
        name: r.target.name,
        reachable: outcome.reachable,
        ...(outcome.reachable
          ? {}
          : {
              error: outcome.error,
              ...(outcome.hostKeyPending ? { hostKeyPending: true } : {}),
            }),
      });
    }
  }

  /** Collects every host of the index; returns counts. */
  async collectAll(
    signal?: AbortSignal,
  ): Promise<{ hosts: number; reachable: number; unreachable: number }> {
    const summary = await this.collectEvery(signal);
    const { hosts, reachable, unreachable } = summary;
    return { hosts, reachable, unreachable };
  }

  /** Collects every host of the index with one result per host. */
  async collectEvery(
    signal?: AbortSignal,
    actor?: string,
  ): Promise<CollectSummary> {
    const summary: CollectSummary = {
      hosts: 0,
      reachable: 0,
      unreachable: 0,
      items: [],
    };
    // One vault read per credential and owner/system/environment for the
    // whole run, not one per host.
    const credentials = this.credentials(actor);
    for await (const page of this.deps.store.records(undefined, 1000)) {
      if (signal?.aborted) break;
      await this.collectInto(summary, page, credentials, signal);
    }
    this.deps.logger.info(
      `Collected facts of ${summary.hosts} hosts: ${summary.reachable} reachable, ${summary.unreachable} unreachable`,
    );
    return summary;
  }
}
