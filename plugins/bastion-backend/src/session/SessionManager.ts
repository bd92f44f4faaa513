import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type {
  SshConnectionPool,
  SshCredentials,
  SshTarget,
} from '@opsdeck/plugin-remote-node';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { CommandLineTracker } from '../commands/CommandLineTracker';
import { compileRules, evaluateCommand } from '../commands/rules';
import type { BastionConfig } from '../config';
import type {
  BastionStore,
  CommandRule,
  SessionActivity,
  SessionRecord,
} from '../database/BastionStore';
import { grantActive, storedGrantsFor } from '../grants/matchGrant';
import type { MfaService } from '../mfa/MfaService';
import { AsciicastRecorder } from '../recording/AsciicastRecorder';
import { readRecordingOutput } from '../recording/readRecording';
import { RecordingTail } from '../recording/RecordingTail';
import type { BastionHost, HostDirectory } from './hosts';
import type { SessionClient } from './protocol';

/** Why a session was not opened; `code` tells the browser what to offer (e.g. the MFA dialog). */
export class SessionRefusedError extends Error {
  constructor(
    readonly code: 'no-host' | 'no-grant' | 'mfa-required' | 'connect-failed',
    message: string,
  ) {
    super(message);
    this.name = 'SessionRefusedError';
  }
}

export type OpenRequest = {
  userRef: string;
  /** The user and the groups the user belongs to (Backstage ownership refs). */
  ownershipRefs: string[];
  hostName: string;
  cols: number;
  rows: number;
  loginUser?: string;
};

export type LiveSessionInfo = SessionRecord & {
  /**
   * Seconds since the last keyboard input (since the start when there was none). For sessions
   * of other instances, from what the owner stored with its last heartbeat.
   */
  idleSeconds: number;
  /** True when this instance holds the session. */
  local: boolean;
};

/** Watching a session that another instance holds, whose recording this instance cannot read. */
export class SessionElsewhereError extends Error {
  constructor(readonly code: 'not-live' | 'elsewhere', message: string) {
    super(message);
    this.name = 'SessionElsewhereError';
  }
}

/** End reason of sessions whose backend instance stopped sending heartbeats. */
export const INTERRUPTED = 'interrupted: backend stopped';

/** How long opening a shell may take, including waiting for a free SSH channel. */
const OPEN_TIMEOUT_MS = 30_000;

const RED = '\x1b[1;31m';
const YELLOW = '\x1b[1;33m';
const RESET = '\x1b[0m';

type Deps = {
  store: BastionStore;
  ssh: Pick<SshConnectionPool, 'shell'>;
  hosts: HostDirectory;
  credentials(
    host: BastionHost,
    loginUser: string,
    actor: string,
  ): Promise<SshCredentials>;
  mfa: MfaService;
  config: BastionConfig;
  logger: LoggerService;
  auditor?: AuditorService;
  now?: () => number;
};

/** One open terminal: PTY channel, recording, command tracking and rules. */
class LiveSession {
  readonly watchers = new Set<SessionClient>();
  lastActivity: number;
  lastInput?: number;
  /** The activity last stored with a heartbeat (its key), to store only changes. */
  storedActivity?: string;
  bytesIn = 0;
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly tracker = new CommandLineTracker();

  constructor(
    readonly record: SessionRecord,
    readonly host: BastionHost,
    /** Where the shell runs (for file transfer in the same session); kept in memory only. */
    readonly target: SshTarget,
    private readonly channel: ClientChannel,
    private readonly recorder: AsciicastRecorder,
    private readonly rules: Array<{ rule: CommandRule; re: RegExp }>,
    private readonly client: SessionClient,
    private readonly manager: SessionManager,
  ) {
    this.lastActivity = manager.now();
    channel.on('data', (d: Buffer) => this.onOutput(this.decoder.write(d)));
    channel.stderr?.on('data', (d: Buffer) =>
      this.onOutput(this.decoder.write(d)),
    );
    channel.on('error', () => {});
    channel.once('close', () => {
      this.onOutput(this.decoder.end());
      this.end('The shell on the host ended');
    });
  }

  private onOutput(text: string) {
    if (!text) return;
    this.lastActivity = this.manager.now();
    this.tracker.observeOutput(text);
    this.recorder.output(text);
    this.broadcast(text);
  }

  private broadcast(text: string) {
    this.client.send({ type: 'output', data: text });
    for (const w of this.watchers) w.send({ type: 'output', data: text });
  }

  /** Text shown to the user (and recorded) that the host never sees. */
  private say(text: string) {
    this.recorder.output(text);
    this.broadcast(text);
  }

  input(data: string) {
    if (this.ended) return;
    this.lastActivity = this.manager.now();
    this.lastInput = this.lastActivity;
    this.bytesIn += Buffer.byteLength(data);
    for (const piece of this.tracker.feed(data)) {
      if (piece.kind === 'text') {
        this.channel.write(piece.data);
        continue;
      }
      const { command, uncertain } = piece.line;
      if (!command) {
        this.channel.write(piece.data);
        continue;
      }
      const rule = evaluateCommand(this.rules, command);
      if (rule?.action === 'reject') {
        // Ctrl-C instead of Enter: the shell drops the line, the command never runs
        this.channel.write('\x03');
        this.tracker.reset();
        this.say(
          `\r\n${RED}[opsdeck] Command refused by rule "${rule.name}": ${command}${RESET}\r\n`,
        );
        this.manager.recordCommand(this, command, 'rejected', rule, uncertain);
        return; // drop the rest of this input (e.g. the remaining lines of a paste)
      }
      this.channel.write(piece.data);
      if (rule?.action === 'alert') {
        this.say(
          `\r\n${YELLOW}[opsdeck] Alert raised by rule "${rule.name}"${RESET}\r\n`,
        );
        this.manager.recordCommand(this, command, 'alerted', rule, uncertain);
      } else {
        this.manager.recordCommand(this, command, 'run', undefined, uncertain);
      }
    }
  }

  /** Everything shown so far (from the recording), for a watcher who joins late. */
  history(): string {
    this.recorder.flush();
    return readRecordingOutput(this.recorder.path);
  }

  resize(cols: number, rows: number) {
    if (this.ended) return;
    this.channel.setWindow(rows, cols, 0, 0);
    this.recorder.resize(cols, rows);
  }

  get bytesOut() {
    return this.recorder.bytes;
  }

  activity(): SessionActivity {
    return {
      lastInputAt: this.lastInput,
      watchers: this.watchers.size,
    };
  }

  /** Ends the session once: closes the shell, the recording and the sockets, stores the end. */
  end(reason: string) {
    if (this.ended) return;
    this.ended = true;
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    this.recorder.close();
    const closed = { type: 'closed' as const, reason };
    this.client.send(closed);
    this.client.close();
    for (const w of this.watchers) {
      w.send(closed);
      w.close();
    }
    this.watchers.clear();
    this.manager.onEnded(this, reason);
  }
}

/**
 * Opens, tracks and ends terminal sessions on this backend instance. Sessions live where their
 * WebSocket is; their records, commands and recordings are in the database and on disk.
 */
export class SessionManager {
  private readonly live = new Map<string, LiveSession>();
  /** People on this instance following sessions of other instances, per session. */
  private readonly following = new Map<string, number>();
  private followingReported = false;
  private readonly ticker: NodeJS.Timeout;
  private lastGrantCheck = 0;
  readonly now: () => number;

  constructor(private readonly deps: Deps) {
    this.now = deps.now ?? Date.now;
    this.ticker = setInterval(() => void this.tick(), 1000);
    this.ticker.unref();
  }

  /** Checks grant, MFA and host, then connects and starts recording. */
  async open(req: OpenRequest, client: SessionClient): Promise<SessionRecord> {
    const { store, hosts, mfa, config } = this.deps;
    const host = await hosts.getHost(req.hostName);
    if (!host) {
      throw new SessionRefusedError(
        'no-host',
        `No host named '${req.hostName}' in the catalog`,
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
    if (!grant) {
      throw new SessionRefusedError(
        'no-grant',
        `No access grant lets ${req.userRef} open a session on ${host.name}${
          req.loginUser ? ` as ${req.loginUser}` : ''
        }`,
      );
    }
    if (mfa.requiredFor(host) && !(await mfa.steppedUp(req.userRef))) {
      throw new SessionRefusedError(
        'mfa-required',
        `Hosts in ${host.environment} need a TOTP code first`,
      );
    }
    const id = randomUUID();
    let channel: ClientChannel;
    let target: SshTarget;
    try {
      const credentials = await this.deps.credentials(
        host,
        grant.loginUser,
        req.userRef,
      );
      target = { host: host.address, port: host.port, credentials };
      channel = await this.deps.ssh.shell(target, {
        cols: req.cols,
        rows: req.rows,
        term: 'xterm-256color',
        // the SSH core caps channels per host and login (remote-node pool settings); a
        // session beyond the cap waits for a free channel, but not forever
        signal: AbortSignal.timeout(OPEN_TIMEOUT_MS),
      });
    } catch (e) {
      throw new SessionRefusedError(
        'connect-failed',
        `Cannot open a shell on ${host.name}: ${
          e instanceof Error ? e.message : String(e)
        }`,
      );
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
  ): { target: SshTarget; record: SessionRecord } | undefined {
    const s = this.live.get(id);
    if (!s || s.record.userRef !== userRef) return undefined;
    s.lastActivity = this.now();
    return { target: s.target, record: s.record };
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

  private follow(id: string, by: 1 | -1) {
    const n = (this.following.get(id) ?? 0) + by;
    if (n > 0) this.following.set(id, n);
    else this.following.delete(id);
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
   * Watches a session that another instance holds by following its recording, which works
   * when the recordings directory is shared between the instances (the owner flushes it every
   * half second); otherwise refuses, naming the owner. Returns the function that stops it.
   */
  async watchRemote(id: string, client: SessionClient): Promise<() => void> {
    const record = await this.deps.store.getSession(id);
    if (!record || !this.openSomewhere(record)) {
      throw new SessionElsewhereError('not-live', `Session ${id} is not live`);
    }
    const path = join(this.deps.config.recordingsDir, record.recording);
    if (!existsSync(path)) {
      throw new SessionElsewhereError(
        'elsewhere',
        `Session ${id} runs on backend instance ${record.instanceId}, whose recordings this instance (${this.deps.config.instanceId}) cannot read; watch it through that instance or share the recordings directory`,
      );
    }
    const tail = new RecordingTail(path);
    let stopped = false;
    let polls = 0;
    let timer: NodeJS.Timeout | undefined;
    this.follow(id, 1);
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.follow(id, -1);
      if (timer) clearTimeout(timer);
    };
    const onError = (e: unknown) => {
      this.deps.logger.warn(`Cannot follow recording of ${id}: ${e}`);
      client.close();
      stop();
    };
    const poll = async (): Promise<void> => {
      if (stopped) return;
      const text = await tail.read();
      if (text) client.send({ type: 'output', data: text });
      // the end is in the database; look every couple of seconds
      if (++polls % 4 === 0) {
        const current = await this.deps.store.getSession(id);
        if (!current || !this.openSomewhere(current)) {
          const rest = await tail.read();
          if (rest) client.send({ type: 'output', data: rest });
          client.send({
            type: 'closed',
            reason: current?.endReason ?? 'The session ended',
          });
          client.close();
          stop();
          return;
        }
      }
      if (!stopped) {
        timer = setTimeout(() => {
          poll().catch(onError);
        }, 500);
      }
    };
    await poll().catch(onError);
    return stop;
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
    // idle time and watchers go to the database too, for the live list of other instances;
    // only when they changed (output alone changes nothing: a running `top` costs no writes)
    const changed = new Map<string, SessionActivity>();
    const keys = new Map<string, string>();
    for (const [id, s] of this.live) {
      const activity = s.activity();
      const key = JSON.stringify(activity);
      if (key !== s.storedActivity) {
        changed.set(id, activity);
        keys.set(id, key);
      }
    }
    const open = await store.heartbeat(config.instanceId, ids, changed);
    for (const [id, key] of keys) {
      const s = this.live.get(id);
      if (s) s.storedActivity = key;
    }
    if (this.following.size > 0 || this.followingReported) {
      await store.reportRemoteWatchers(config.instanceId, this.following);
      this.followingReported = this.following.size > 0;
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
      this.audit('session-close', 'low', r.userRef, {
        sessionId: r.id,
        host: r.host,
        reason: INTERRUPTED,
        instanceId: r.instanceId ?? null,
      });
    }
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
    const endedAt = new Date(this.now()).toISOString();
    this.deps.store
      .endSession(session.record.id, {
        endedAt,
        reason,
        bytesOut: session.bytesOut,
        bytesIn: session.bytesIn,
      })
      .catch(e => this.deps.logger.warn(`Cannot store session end: ${e}`));
    this.audit('session-close', 'low', session.record.userRef, {
      sessionId: session.record.id,
      host: session.record.host,
      reason,
      bytesOut: session.bytesOut,
    });
  }

  /** Stores a command (in order per session) and audits rejections and alerts. */
  recordCommand(
    session: LiveSession,
    command: string,
    action: 'run' | 'rejected' | 'alerted',
    rule: CommandRule | undefined,
    uncertain: boolean,
  ) {
    const at = new Date(this.now()).toISOString();
    this.deps.store
      .addCommand({
        sessionId: session.record.id,
        at,
        command: uncertain
          ? `${command} [incomplete: edited on the host]`
          : command,
        action,
        ruleId: rule?.id,
      })
      .catch(e => this.deps.logger.warn(`Cannot store command: ${e}`));
    if (action !== 'run') {
      this.audit(
        action === 'rejected' ? 'command-rejected' : 'command-alert',
        'high',
        session.record.userRef,
        {
          sessionId: session.record.id,
          host: session.record.host,
          command,
          rule: rule?.name ?? null,
        },
      );
    }
  }

  private audit(
    eventId: string,
    severityLevel: 'low' | 'medium' | 'high' | 'critical',
    actor: string,
    meta: JsonObject,
  ) {
    const { auditor, logger } = this.deps;
    if (!auditor) return;
    auditor
      .createEvent({ eventId, severityLevel, meta: { actor, ...meta } })
      .then(e => e.success())
      .catch(err => logger.warn(`Cannot audit ${eventId}: ${err}`));
  }

  /** Ends every session (backend shutdown). */
  closeAll(reason: string) {
    clearInterval(this.ticker);
    for (const s of [...this.live.values()]) s.end(reason);
  }
}
