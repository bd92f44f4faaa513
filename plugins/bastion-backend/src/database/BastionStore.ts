/** Which hosts a grant covers; every given field must match (none given = no host). */
export type HostSelector = {
  host?: string;
  system?: string;
  owner?: string;
  tag?: string;
};

export type Grant = {
  id: string;
  /** `user:default/frank` or `group:default/dev`. */
  subject: string;
  selector: HostSelector;
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

/** What the owner of a live session reports of it with a heartbeat (times in ms). */
export type SessionActivity = {
  lastInputAt?: number;
  watchers: number;
};

/** A terminate request stored by some instance for the owner of an open session. */
export type TerminateRequest = { id: string; reason: string };

export type SessionQuery = {
  user?: string;
  host?: string;
  open?: boolean;
  limit?: number;
};

export type CommandAction = 'run' | 'rejected' | 'alerted';

export type CommandRecord = {
  id: number;
  sessionId: string;
  at: string;
  command: string;
  action: CommandAction;
  ruleId?: string;
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

export type RuleAction = 'reject' | 'alert' | 'allow';

/** Where a rule applies; empty = every host. */
export type RuleScope = HostSelector & { environment?: string };

export type CommandRule = {
  id: string;
  name: string;
  /** JavaScript regular expression, matched against the whole command line. */
  pattern: string;
  action: RuleAction;
  scope: RuleScope;
  /** Lower first. */
  priority: number;
  createdBy: string;
  createdAt: string;
};

export type NewRule = Omit<CommandRule, 'id' | 'createdAt'>;

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

  getMfa(userRef: string): Promise<MfaRecord | undefined>;
  /** Starts (or restarts) enrolment with a new, unconfirmed secret. */
  putMfaSecret(userRef: string, secretEnc: string): Promise<void>;
  updateMfa(
    userRef: string,
    patch: Partial<Omit<MfaRecord, 'userRef' | 'secretEnc'>>,
  ): Promise<void>;
  /** Forgets a user's enrolment (they enrol again); false when there was none. */
  deleteMfa(userRef: string): Promise<boolean>;
}
