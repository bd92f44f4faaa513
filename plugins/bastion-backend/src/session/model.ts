/** The session manager's domain types. */
import type { SessionRecord } from '../database/BastionStore';

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
