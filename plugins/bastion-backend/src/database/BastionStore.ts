import type { HostSelector } from '@opsdeck/plugin-cmdb-common';

/**
 * Which hosts a grant covers, in the spelling the bastion stores (one column
 * each) and its API speaks: cmdb-common's one {@link HostSelector} with one
 * host name (`names: [host]`) and one tag (`tags: [tag]`); see
 * {@link toHostSelector}. Every given field must match (none given = no host).
 */
export type GrantSelector = {
  host?: string;
  system?: string;
  owner?: string;
  tag?: string;
};

/** The grant's (or rule scope's) selector as cmdb-common's HostSelector, the one meaning. */
export function toHostSelector(
  selector: GrantSelector & { environment?: string },
): HostSelector {
  const out: HostSelector = {};
  if (selector.host) out.names = [selector.host];
  if (selector.owner) out.owner = selector.owner;
  if (selector.system) out.system = selector.system;
  if (selector.environment) out.environment = selector.environment;
  if (selector.tag) out.tags = [selector.tag];
  return out;
}

export type Grant = {
  id: string;
  /** `user:default/frank` or `group:default/dev`. */
  subject: string;
  selector: GrantSelector;
  loginUser: string;
  expiresAt: string;
  reason?: string;
  /** Set by workflows (ticket fulfilment): one grant per key. */
  idempotencyKey?: string;
  createdBy: string;
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
};

export type NewGrant = Omit<
  Grant,
  'id' | 'createdAt' | 'revokedAt' | 'revokedBy'
>;

export type SessionRecord = {
  id: string;
  userRef: string;
  host: string;
  hostRef: string;
  loginUser: string;
  grantId?: string;
  environment?: string;
  startedAt: string;
  endedAt?: string;
  endReason?: string;
  bytesOut: number;
  bytesIn: number;
  cols: number;
  rows: number;
  /** File name of the asciicast recording in the recordings directory. */
  recording: string;
  /** The backend instance that holds the session (its shell and WebSocket). */
  instanceId?: string;
  /** The run (process start) of that instance; a restarted instance has a new one. */
  instanceRun?: string;
  /** Host-side exec audit for this session: `on`, or why it is not. */
  execAudit?: string;
  /** Last heartbeat of that instance for this session, while open. */
  heartbeatAt?: string;
  /** Last keyboard input, as the owner reported it with its last heartbeat. */
  lastInputAt?: string;
  /**
   * Last input, output or file transfer (the idle timeout counts from it); known on the owning
   * instance only.
   */
  lastActivityAt?: string;
  /** People watching it live on the owning instance, as of that heartbeat. */
  watchers?: number;
};

/**
 * What the owner of a live session reports of it with a heartbeat (times in ms); the byte
 * counts are flushed so that a session of a killed backend keeps them.
 */
export type SessionActivity = {
  lastInputAt?: number;
  watchers: number;
  bytesIn?: number;
  bytesOut?: number;
};

export type ReviewStatus =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'timeout'
  | 'cancelled';

/** A command held by a `review` rule until an approver decides. */
export type ReviewRecord = {
  id: string;
  sessionId: string;
  command: string;
  detail?: string;
  ruleId?: string;
  ruleName?: string;
  requestedBy: string;
  host: string;
  requestedAt: string;
  expiresAt: string;
  status: ReviewStatus;
  decidedBy?: string;
  decidedAt?: string;
};

export type NewReview = Omit<
  ReviewRecord,
  'id' | 'status' | 'decidedBy' | 'decidedAt'
>;

/** A program the host's kernel saw started in a session (host-side exec audit). */
export type ExecRecord = {
  sessionId: string;
  /** The host's audit event id (`1700000000.123:456`). */
  event: string;
  at: string;
  pid?: number;
  ppid?: number;
  uid?: number;
  exe?: string;
  argv: string[];
  cwd?: string;
};

/** A terminate request stored by some instance for the owner of an open session. */
export type TerminateRequest = { id: string; reason: string };

export type SessionQuery = {
  user?: string;
  host?: string;
  open?: boolean;
  limit?: number;
};

/**
 * What became of a submitted line: ran, refused (`rejected`), ran with an alert, waited for an
 * approver (`approved`/`denied`, also when the review timed out or was cancelled), or typed
 * inside a program that owns the terminal (`keystrokes`: stored as typed, not as a command).
 */
export type CommandAction =
  | 'run'
  | 'rejected'
  | 'alerted'
  | 'approved'
  | 'denied'
  | 'keystrokes';

export type CommandRecord = {
  id: number;
  sessionId: string;
  at: string;
  command: string;
  action: CommandAction;
  ruleId?: string;
  /** Why: the command or construct a rule matched, or why the line could not be judged. */
  detail?: string;
  /** The approver of a reviewed command. */
  reviewedBy?: string;
  /** From the session. */
  userRef?: string;
  host?: string;
};

export type CommandQuery = {
  q?: string;
  user?: string;
  host?: string;
  sessionId?: string;
  limit?: number;
};

/** `review`: the command waits until an approver allows or denies it (denied on timeout). */
export type RuleAction = 'reject' | 'review' | 'alert' | 'allow';

/**
 * What a rule's pattern is matched against: each command the line runs (`command`: its
 * canonical text, e.g. `rm -rf /`), each construct whose effect the line does not show
 * (`construct`: `<kind> <text>`, e.g. `interpreter-stdin sh`; see commands/model.ts), or a file
 * transfer in a session (`file`: `upload <path>` / `download <path>`, the path resolved on the
 * host).
 */
export type RuleKind = 'command' | 'construct' | 'file';

/** Where a rule applies; empty = every host. */
export type RuleScope = GrantSelector & { environment?: string };

export type CommandRule = {
  id: string;
  name: string;
  /** JavaScript regular expression, matched against each command (or construct) of a line. */
  pattern: string;
  kind: RuleKind;
  action: RuleAction;
  scope: RuleScope;
  /** Lower first. */
  priority: number;
  createdBy: string;
  createdAt: string;
};

export type NewRule = Omit<CommandRule, 'id' | 'createdAt' | 'kind'> & {
  kind?: RuleKind;
};

export type MfaRecord = {
  userRef: string;
  secretEnc: string;
  confirmed: boolean;
  verifiedUntil?: number;
  lastStep?: number;
  failures: number;
  failuresSince?: number;
};

/** The bastion's persistent state. */
export interface BastionStore {
  /**
   * Creates the grant. With an idempotency key that a grant already has,
   * creates nothing and returns that grant (`created: false`) when it is for
   * the same subject, selector and login user; ConflictError otherwise.
   */
  createGrant(grant: NewGrant): Promise<Grant & { created: boolean }>;
  /** Grants not revoked; with `activeAt`, only those not expired at that time. */
  listGrants(options?: { activeAt?: number }): Promise<Grant[]>;
  getGrant(id: string): Promise<Grant | undefined>;
  /** Marks a grant revoked; false when there is no such unrevoked grant. */
  revokeGrant(id: string, by: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  endSession(
    id: string,
    end: { endedAt: string; reason: string; bytesOut: number; bytesIn: number },
  ): Promise<void>;
  /**
   * Marks the given open sessions of an instance as alive now, and stores the activity given
   * for some of them (those whose activity changed); returns how many were open.
   */
  heartbeat(
    instanceId: string,
    ids: string[],
    activity?: ReadonlyMap<string, SessionActivity>,
  ): Promise<number>;
  /**
   * Ends this instance's sessions from before its restart (rows of `instanceId` whose run is
   * not `run`) at once; returns them.
   */
  endOwnPreviousSessions(
    instanceId: string,
    run: string,
    reason: string,
  ): Promise<SessionRecord[]>;
  /** Records what a session found on its host about exec audit (`on`, or why not). */
  setExecAudit(id: string, state: string): Promise<void>;
  /**
   * Ends open sessions whose owner stopped sending heartbeats (a crashed or killed instance):
   * no heartbeat since `staleBefore` (ms). Returns the ended sessions.
   */
  endStaleSessions(
    staleBefore: number,
    reason: string,
  ): Promise<SessionRecord[]>;
  /**
   * Stores how many people follow sessions of other instances from this one (sessions not in
   * `counts` drop out); done with each heartbeat, so rows not refreshed go stale.
   */
  reportRemoteWatchers(
    instanceId: string,
    counts: ReadonlyMap<string, number>,
  ): Promise<void>;
  /** People following sessions from instances that do not hold them, per session (rows since `since`, ms). */
  remoteWatchers(since: number): Promise<Map<string, number>>;
  /** Asks the owner of an open session to end it; false when it is not open. */
  requestTerminate(id: string, reason: string): Promise<boolean>;
  /** Terminate requests for open sessions of an instance. */
  terminateRequests(instanceId: string): Promise<TerminateRequest[]>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  listSessions(query: SessionQuery): Promise<SessionRecord[]>;

  addCommand(command: Omit<CommandRecord, 'id'>): Promise<void>;
  searchCommands(query: CommandQuery): Promise<CommandRecord[]>;

  createRule(rule: NewRule): Promise<CommandRule>;
  listRules(): Promise<CommandRule[]>;
  deleteRule(id: string): Promise<boolean>;
  /**
   * Inserts `rules` once per database, remembered under `key` (also when an admin deleted
   * them later); true when this call inserted them.
   */
  seedRules(key: string, rules: NewRule[]): Promise<boolean>;

  createReview(review: NewReview): Promise<ReviewRecord>;
  getReview(id: string): Promise<ReviewRecord | undefined>;
  listReviews(query: {
    status?: ReviewStatus;
    limit?: number;
  }): Promise<ReviewRecord[]>;
  /**
   * Decides a pending review in one statement (the first decision wins: approve, deny,
   * timeout or cancel); false when it was no longer pending.
   */
  decideReview(
    id: string,
    status: Exclude<ReviewStatus, 'pending'>,
    by?: string,
  ): Promise<boolean>;

  /** Stores exec records (again-seen events are ignored); returns how many were new. */
  addExecs(execs: ExecRecord[]): Promise<number>;
  listExecs(sessionId: string): Promise<ExecRecord[]>;
}
