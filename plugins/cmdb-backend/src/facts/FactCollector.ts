import { LoggerService } from '@backstage/backend-plugin-api';
import {
  createCredentialResolver,
  fanOut,
  HostKeyPendingError,
  type CredentialResolver,
  type SshConnectionPool,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
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
      /** Logins are taken out of the vault for `ssh-login` on each host. */
      vault: Pick<VaultService, 'getSecret'>;
      /** Credential of hosts that name none (`opsdeck.cmdb.defaultCredential`). */
      defaultCredential?: string;
      logger: LoggerService;
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
      return { reachable: true, facts: parseFacts(r.stdout) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return e instanceof HostKeyPendingError
        ? { reachable: false, error: message, hostKeyPending: true }
        : { reachable: false, error: message };
    }
  }

  /** Collects one host now and records the outcome. */
  async collectOne(host: HostRecord, actor?: string): Promise<FactsOutcome> {
    const outcome = await this.probe(host, undefined, this.credentials(actor));
    await this.deps.store.recordFacts(host.name, outcome);
    return outcome;
  }

  /** Collects every host of the index; returns counts. */
  async collectAll(
    signal?: AbortSignal,
  ): Promise<{ hosts: number; reachable: number; unreachable: number }> {
    const totals = { hosts: 0, reachable: 0, unreachable: 0 };
    // One vault read per credential and owner/system/environment for the
    // whole run, not one per host.
    const credentials = this.credentials();
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
