import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import {
  loadShellSyntax,
  type ShellChannel,
  type SshCredentials,
  type SshTarget,
} from '@opsdeck/plugin-remote-node';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { GateRecord, ReviewOutcome } from '../commands/CommandGate';
import {
  compileRules,
  type CompiledRule,
  type Verdict,
} from '../commands/rules';
import type { BastionConfig } from '../config';
import type { BastionStore, SessionRecord } from '../database/BastionStore';
import { grantActive, storedGrantsFor } from '../grants/matchGrant';
import type { MfaService } from '../mfa/MfaService';
import { AsciicastRecorder } from '../recording/AsciicastRecorder';
import type { AuditCredentials } from './credentials';
import type { BastionHost, HostDirectory } from './hosts';
import { changedActivity, LiveSession, type SessionOwner } from './LiveSession';
import {
  SessionRefusedError,
  type LiveSessionInfo,
  type OpenRequest,
} from './model';
import type { SessionClient } from './protocol';
import { RemoteWatch, SessionElsewhereError } from './RemoteWatch';
import { auditEvent, recordCommand, transferEntry } from './commandLog';
import { openShell, type ShellSsh } from './openShell';
import { auditRefusal, connectRefusal, noGrantRefusal } from './refusals';
import { waitForReview } from './reviews';

export { SessionElsewhereError };

export {
  SessionRefusedError,
  type LiveSessionInfo,
  type OpenRequest,
} from './model';

/** End reason of sessions whose backend instance stopped sending heartbeats. */
export const INTERRUPTED = 'interrupted: backend stopped';
/** End reason of an instance's own sessions from before its restart. */
export const RESTARTED = 'interrupted: backend restarted';

type Deps = {
  store: BastionStore;
  ssh: ShellSsh;
  hosts: HostDirectory;
  credentials(
    host: BastionHost,
    loginUser: string,
    actor: string,
  ): Promise<SshCredentials>;
  /** Credentials of exec-audit logins (a vault credential name); exec audit is off without. */
  auditCredentials?: AuditCredentials;
  mfa: MfaService;
  config: BastionConfig;
  logger: LoggerService;
  auditor?: AuditorService;
  now?: () => number;
};

/**
 * Opens, tracks and ends terminal sessions on this backend instance. Sessions live where their
 * WebSocket is; their records, commands and recordings are in the database and on disk.
 */
export class SessionManager implements SessionOwner {
  private readonly live = new Map<string, LiveSession>();
  private readonly remote: RemoteWatch;
  private followingReported = false;
  private readonly ticker: NodeJS.Timeout;
  private lastGrantCheck = 0;
  private lastExecCollect = 0;
  readonly now: () => number;

  constructor(private readonly deps: Deps) {
    this.now = deps.now ?? Date.now;
    this.remote = new RemoteWatch({
      store: deps.store,
      recordingsDir: deps.config.recordingsDir,
      instanceId: deps.config.instanceId,
      logger: deps.logger,
      openSomewhere: r => this.openSomewhere(r),
    });
    this.ticker = setInterval(() => void this.tick(), 1000);
    this.ticker.unref();
  }

  /** Checks grant, MFA and host, then connects and starts recording; a refusal is audited. */
  async open(req: OpenRequest, client: SessionClient): Promise<SessionRecord> {
    try {
      return await this.openChecked(req, client);
    } catch (e) {
      auditRefusal(this.deps, req, e);
      throw e;
    }
  }

  private async openChecked(
    req: OpenRequest,
    client: SessionClient,
  ): Promise<SessionRecord> {
    const { store, hosts, mfa, config } = this.deps;
    const host = await hosts.getHost(req.hostName);
    if (!host) {
      throw new SessionRefusedError(
        'bastion-host-unknown',
        `No host named '${req.hostName}' in the catalog`,
        { host: req.hostName },
      );
    }
    const now = this.now();
    const [grant] = await storedGrantsFor(
      store,
      req.ownershipRefs,
      host,
      now,
      req.loginUser,
    );
    if (!grant) throw await noGrantRefusal(store, req, host);
    if (mfa.requiredFor(host) && !(await mfa.steppedUp(req.userRef))) {
      throw new SessionRefusedError(
        'bastion-mfa-required',
        `Hosts in ${host.environment} need a TOTP code first`,
        { host: host.name, environment: host.environment ?? '' },
      );
    }
    // the shell grammar that judges every line: loaded with the first session, not at start-up
    await loadShellSyntax();
    const id = randomUUID();
    let channel: ShellChannel;
    let target: SshTarget;
    let opened: Awaited<ReturnType<typeof openShell>>;
    try {
      const credentials = await this.deps.credentials(
        host,
        grant.loginUser,
        req.userRef,
      );
      target = { host: host.address, port: host.port, credentials };
      opened = await openShell({
        ssh: this.deps.ssh,
        execAudit: config.execAudit,
        auditDeps: this.deps.auditCredentials && {
          credentials: this.deps.auditCredentials,
          store,
          logger: this.deps.logger,
        },
        actor: req.userRef,
        host,
        target,
        sessionId: id,
        cols: req.cols,
        rows: req.rows,
      });
      channel = opened.channel;
    } catch (e) {
      throw connectRefusal(host.name, grant.loginUser, e, this.deps.logger);
    }
    const record: SessionRecord = {
      id,
      userRef: req.userRef,
      host: host.name,
      hostRef: host.entityRef,
      loginUser: grant.loginUser,
      grantId: grant.id,
      environment: host.environment,
      startedAt: new Date(now).toISOString(),
      bytesOut: 0,
      bytesIn: 0,
      cols: req.cols,
      rows: req.rows,
      recording: `${id}.cast`,
      instanceId: config.instanceId,
      instanceRun: config.instanceRun,
      execAudit: opened.auditState,
    };
    let recorder: AsciicastRecorder;
    try {
      recorder = new AsciicastRecorder(
        join(config.recordingsDir, record.recording),
        {
          width: req.cols,
          height: req.rows,
          timestamp: Math.floor(now / 1000),
          title: `${req.userRef} → ${grant.loginUser}@${host.name}`,
          env: { TERM: 'xterm-256color', SHELL: '/bin/sh' },
        },
      );
      await store.createSession(record);
    } catch (e) {
      channel.close();
      opened.audit?.end().catch(() => {});
      throw e;
    }
    const rules = compileRules(await store.listRules(), host);
    const session = new LiveSession(
      record,
      host,
      target,
      channel,
      recorder,
      rules,
      client,
      this,
      opened.audit,
    );
    this.live.set(id, session);
    client.send({
      type: 'ready',
      sessionId: id,
      host: host.name,
      loginUser: grant.loginUser,
      idleTimeoutSeconds: config.idleTimeoutSeconds,
      maxSessionSeconds: config.maxSessionSeconds,
    });
    this.audit('session-open', 'medium', req.userRef, {
      sessionId: id,
      host: host.name,
      hostRef: host.entityRef,
      loginUser: grant.loginUser,
      grantId: grant.id,
    });
    return record;
  }

  input(id: string, data: string) {
    this.live.get(id)?.input(data);
  }

  resize(id: string, cols: number, rows: number) {
    this.live.get(id)?.resize(cols, rows);
  }

  /**
   * The SSH target of a live session that belongs to `userRef` (file transfer runs with the
   * session's host and login, so it needs no grant check of its own); undefined otherwise.
   */
  transferTarget(
    id: string,
    userRef: string,
  ):
    | { target: SshTarget; record: SessionRecord; rules: CompiledRule[] }
    | undefined {
    const s = this.live.get(id);
    if (!s || s.record.userRef !== userRef) return undefined;
    s.lastActivity = this.now();
    return { target: s.target, record: s.record, rules: s.rules };
  }

  /** Logs a file transfer (or its refusal) with the session's commands. */
  recordTransfer(id: string, text: string, verdict: Verdict) {
    const s = this.live.get(id);
    if (s) this.recordCommand(s, transferEntry(text, verdict));
  }

  /** The output of a live session so far; undefined when it is not open here. */
  history(id: string): string | undefined {
    return this.live.get(id)?.history();
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /** Sessions open on this backend instance. */
  list(): LiveSessionInfo[] {
    return [...this.live.values()].map(s => {
      const record: SessionRecord = {
        ...s.record,
        bytesOut: s.bytesOut,
        bytesIn: s.bytesIn,
        lastInputAt:
          s.lastInput === undefined
            ? undefined
            : new Date(s.lastInput).toISOString(),
        lastActivityAt: new Date(s.lastActivity).toISOString(),
        watchers: s.watchers.size,
      };
      return { ...record, idleSeconds: this.idleSeconds(record), local: true };
    });
  }

  private idleSeconds(record: SessionRecord): number {
    const since = new Date(record.lastInputAt ?? record.startedAt).getTime();
    return Math.max(0, Math.floor((this.now() - since) / 1000));
  }

  /** True when an open session's owner still sends heartbeats (for sessions of any instance). */
  openSomewhere(record: SessionRecord): boolean {
    if (this.live.has(record.id)) return true;
    if (record.endedAt || !record.heartbeatAt) return false;
    return (
      this.now() - new Date(record.heartbeatAt).getTime() <
      this.deps.config.staleSeconds * 1000
    );
  }

  /**
   * Open sessions of every instance on this database: this instance's from memory, the others'
   * as their owners stored them with the last heartbeat. Watchers include those who follow a
   * session from another instance.
   */
  async listAll(): Promise<LiveSessionInfo[]> {
    const { store, config } = this.deps;
    const local = this.list();
    const others = (await store.listSessions({ open: true, limit: 500 }))
      .filter(r => !this.live.has(r.id) && this.openSomewhere(r))
      .map(r => ({ ...r, idleSeconds: this.idleSeconds(r), local: false }));
    const following = await store.remoteWatchers(
      this.now() - config.staleSeconds * 1000,
    );
    return [...local, ...others]
      .map(s => ({
        ...s,
        watchers: (s.watchers ?? 0) + (following.get(s.id) ?? 0),
      }))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** Ends a live session; false when it is not open here. */
  terminate(id: string, reason: string): boolean {
    const s = this.live.get(id);
    if (!s) return false;
    s.end(reason);
    return true;
  }

  /**
   * Ends a session wherever it runs: at once when this instance holds it, otherwise through a
   * request in the database that the owning instance carries out at its next poll (every second).
   */
  async terminateAnywhere(
    id: string,
    reason: string,
  ): Promise<{ done: 'local' | 'requested'; instanceId?: string } | undefined> {
    if (this.terminate(id, reason)) {
      return { done: 'local', instanceId: this.deps.config.instanceId };
    }
    const record = await this.deps.store.getSession(id);
    if (!record || !this.openSomewhere(record)) return undefined;
    if (!(await this.deps.store.requestTerminate(id, reason))) return undefined;
    return { done: 'requested', instanceId: record.instanceId };
  }

  /** Adds a read-only watcher of a live session's output; false when it is not open here. */
  watch(id: string, client: SessionClient): (() => void) | undefined {
    const s = this.live.get(id);
    if (!s) return undefined;
    s.watchers.add(client);
    return () => s.watchers.delete(client);
  }

  /**
   * Watches a session that another instance holds by following its recording (a shared
   * recordings directory); otherwise refuses, naming the owner. Returns the function that stops it.
   */
  watchRemote(id: string, client: SessionClient): Promise<() => void> {
    return this.remote.watch(id, client);
  }

  /** Ends sessions whose grant expired or was revoked. */
  async checkGrants(): Promise<void> {
    const now = this.now();
    for (const s of [...this.live.values()]) {
      if (!s.record.grantId) continue;
      const grant = await this.deps.store.getGrant(s.record.grantId);
      if (!grant || !grantActive(grant, now)) {
        s.end(
          grant?.revokedAt
            ? 'The access grant was revoked'
            : 'The access grant expired',
        );
      }
    }
  }

  private ticking = false;
  private lastHeartbeat = 0;

  private async tick() {
    // a slow database must not pile up overlapping ticks
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tickOnce();
    } finally {
      this.ticking = false;
    }
  }

  /** Carries out terminate requests that other instances stored for this instance's sessions. */
  async pollTerminateRequests(): Promise<void> {
    if (this.live.size === 0) return;
    const requests = await this.deps.store.terminateRequests(
      this.deps.config.instanceId,
    );
    for (const r of requests) this.terminate(r.id, r.reason);
  }

  /** Marks this instance's sessions alive and ends sessions whose instance went silent. */
  async heartbeat(): Promise<void> {
    const { store, config } = this.deps;
    const ids = [...this.live.keys()];
    const activity = changedActivity(this.live);
    const open = await store.heartbeat(
      config.instanceId,
      ids,
      activity.changed,
    );
    activity.stored();
    const following = this.remote.following;
    if (following.size > 0 || this.followingReported) {
      await store.reportRemoteWatchers(config.instanceId, following);
      this.followingReported = following.size > 0;
    }
    if (open < ids.length) {
      // another instance ended some of ours as interrupted while this one was not heard from
      // (a hang, a lost database): they are over, so their shells close here too
      for (const id of ids) {
        const r = await store.getSession(id);
        if (r?.endedAt) this.live.get(id)?.end(r.endReason ?? INTERRUPTED);
      }
    }
    const ended = await store.endStaleSessions(
      this.now() - config.staleSeconds * 1000,
      INTERRUPTED,
    );
    for (const r of ended) {
      this.deps.logger.info(
        `Bastion session ${r.id} of instance ${r.instanceId} interrupted: no heartbeat since ${r.heartbeatAt}`,
      );
      this.auditInterrupted(r, INTERRUPTED);
    }
  }

  /**
   * At start-up: this instance's own sessions from before its restart end at once (their
   * shells died with the process; the byte counts are as of the last heartbeat), then the
   * first heartbeat ends other instances' stale sessions.
   */
  async start(): Promise<void> {
    const { store, config } = this.deps;
    const ended = await store.endOwnPreviousSessions(
      config.instanceId,
      config.instanceRun,
      RESTARTED,
    );
    for (const r of ended) {
      this.deps.logger.info(
        `Bastion session ${r.id} of this instance's previous run interrupted`,
      );
      this.auditInterrupted(r, RESTARTED);
    }
    await this.heartbeat();
  }

  private auditInterrupted(r: SessionRecord, reason: string) {
    this.audit('session-close', 'medium', r.userRef, {
      sessionId: r.id,
      host: r.host,
      reason,
      instanceId: r.instanceId ?? null,
      bytesIn: r.bytesIn,
      bytesOut: r.bytesOut,
    });
  }

  private async tickOnce() {
    const now = this.now();
    await this.pollTerminateRequests().catch(e =>
      this.deps.logger.warn(`Bastion terminate poll failed: ${e}`),
    );
    if (now - this.lastHeartbeat >= this.deps.config.heartbeatSeconds * 1000) {
      this.lastHeartbeat = now;
      await this.heartbeat().catch(e =>
        this.deps.logger.warn(`Bastion heartbeat failed: ${e}`),
      );
    }
    const { idleTimeoutSeconds, maxSessionSeconds, grantCheckSeconds } =
      this.deps.config;
    for (const s of [...this.live.values()]) {
      if (now - s.lastActivity >= idleTimeoutSeconds * 1000) {
        s.end(`Idle for ${idleTimeoutSeconds} seconds`);
      } else if (
        now - new Date(s.record.startedAt).getTime() >=
        maxSessionSeconds * 1000
      ) {
        s.end(`Maximum session length (${maxSessionSeconds} seconds) reached`);
      }
    }
    if (
      now - this.lastExecCollect >=
      this.deps.config.execAuditCollectSeconds * 1000
    ) {
      this.lastExecCollect = now;
      for (const s of this.live.values()) {
        s.execAudit
          ?.collect()
          .catch(e =>
            this.deps.logger.warn(`Exec audit read-back failed: ${e}`),
          );
      }
    }
    if (now - this.lastGrantCheck >= grantCheckSeconds * 1000) {
      this.lastGrantCheck = now;
      await this.checkGrants().catch(e =>
        this.deps.logger.warn(`Bastion grant check failed: ${e}`),
      );
    }
  }

  /** Called by a session when it ended. */
  onEnded(session: LiveSession, reason: string) {
    this.live.delete(session.record.id);
    session.execAudit
      ?.end()
      .catch(e =>
        this.deps.logger.warn(
          `Exec audit of session ${session.record.id} did not end cleanly: ${e}`,
        ),
      );
    const endedAt = new Date(this.now()).toISOString();
    this.deps.store
      .endSession(session.record.id, {
        endedAt,
        reason,
        bytesOut: session.bytesOut,
        bytesIn: session.bytesIn,
      })
      .catch(e => this.deps.logger.warn(`Cannot store session end: ${e}`));
    this.audit('session-close', 'medium', session.record.userRef, {
      sessionId: session.record.id,
      host: session.record.host,
      reason,
      bytesIn: session.bytesIn,
      bytesOut: session.bytesOut,
    });
  }

  /** Stores a command (in order per session) and audits what a rule decided. */
  recordCommand(session: LiveSession, entry: GateRecord) {
    recordCommand(
      {
        store: this.deps.store,
        logger: this.deps.logger,
        now: this.now,
        audit: (id, sev, actor, meta) => this.audit(id, sev, actor, meta),
      },
      session.record,
      entry,
    );
  }

  /** Holds a command for an approver (see reviews.ts). */
  requestReview(
    session: LiveSession,
    command: string,
    verdict: Verdict,
    cancel: AbortSignal,
  ): Promise<ReviewOutcome> {
    return waitForReview(
      {
        store: this.deps.store,
        now: this.now,
        timeoutSeconds: this.deps.config.reviewTimeoutSeconds,
        audit: (eventId, actor, meta) =>
          this.audit(eventId, 'high', actor, meta),
      },
      session.record,
      command,
      verdict,
      cancel,
    );
  }

  private audit(
    eventId: string,
    severityLevel: 'low' | 'medium' | 'high' | 'critical',
    actor: string,
    meta: JsonObject,
  ) {
    auditEvent(this.deps, eventId, severityLevel, actor, meta);
  }

  /** Ends every session (backend shutdown). */
  closeAll(reason: string) {
    clearInterval(this.ticker);
    for (const s of [...this.live.values()]) s.end(reason);
  }
}
