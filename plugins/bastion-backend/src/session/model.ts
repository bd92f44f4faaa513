/** The session manager's domain types. */
import type { SessionRecord } from '../database/BastionStore';

/** Why a session was not opened, as the browser is told (the terminal says it in the reader's language). */
export type SessionRefusalCode =
  | 'bastion-host-unknown'
  | 'bastion-no-grant'
  | 'bastion-grant-expired'
  | 'bastion-mfa-required'
  | 'bastion-host-key-changed'
  | 'bastion-host-key-pending'
  | 'bastion-host-unreachable'
  | 'bastion-login-failed'
  | 'bastion-connect-failed';

/**
 * Why a session was not opened; `code` tells the browser what to say (and
 * offer, e.g. the MFA dialog), `details` what the text names (host, login,
 * the offered key, when the grant ended). Details carry no secret.
 */
export class SessionRefusedError extends Error {
  constructor(
    readonly code: SessionRefusalCode,
    message: string,
    readonly details: Record<string, string> = {},
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
