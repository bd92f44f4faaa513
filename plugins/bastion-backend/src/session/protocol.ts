/** Messages on the terminal WebSocket (JSON text frames). */

/** Browser → backend. */
export type ClientMessage =
  | { type: 'input'; data: string }
  | { type: 'resize'; cols: number; rows: number };

/** Backend → browser. */
export type ServerMessage =
  | {
      type: 'ready';
      sessionId: string;
      host: string;
      loginUser: string;
      idleTimeoutSeconds: number;
      maxSessionSeconds: number;
    }
  | { type: 'output'; data: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | {
      /** A refusal: opsdeck's code or the bastion's own, and what its text names. */
      type: 'error';
      code: string;
      message: string;
      [detail: string]: string;
    }
  | { type: 'closed'; reason: string };

/** Where a session's messages go (the terminal's socket, or a watcher's). */
export interface SessionClient {
  send(message: ServerMessage): void;
  close(): void;
}

/** Parses a browser message; undefined for anything malformed. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  if (m.type === 'input' && typeof m.data === 'string') {
    return { type: 'input', data: m.data };
  }
  const dim = (v: unknown, max: number) =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max;
  if (m.type === 'resize' && dim(m.cols, 1000) && dim(m.rows, 500)) {
    return { type: 'resize', cols: m.cols as number, rows: m.rows as number };
  }
  return undefined;
}
