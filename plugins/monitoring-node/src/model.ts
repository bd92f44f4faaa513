/** How urgent a message is (robots colour it; mail and webhooks carry it). */
export type AlertChannelSeverity = 'critical' | 'high' | 'normal' | 'low';

/** A message for monitoring's alert channels. */
export interface AlertChannelMessage {
  /** Channel names of `opsdeck.monitoring.channels`; each must exist. */
  channels: string[];
  title: string;
  /** Plain text, one line per line (markup is stripped by the channels). */
  text: string;
  severity: AlertChannelSeverity;
  /** Where to read more (shown by the channels that show links). */
  link?: string;
  /**
   * Names the message for the receivers (the webhook's fingerprint), e.g.
   * `cicd:<job>#<build>`; the same message sent again keeps it.
   */
  scope?: string;
}

/** What became of the message on one channel. */
export interface AlertChannelOutcome {
  channel: string;
  ok: boolean;
  /** Why it failed (no URL, no secret). */
  error?: string;
}
