import { closeSync, openSync, writeSync } from 'node:fs';

/** Header of an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/). */
export type AsciicastHeader = {
  width: number;
  height: number;
  /** Unix time in seconds of the session start. */
  timestamp: number;
  title?: string;
  env?: Record<string, string>;
};

/**
 * Writes an asciicast v2 recording while the session runs: the header line at once, then one
 * `[seconds, "o", text]` (output) or `[seconds, "r", "COLSxROWS"]` (resize) line per event.
 * Events are buffered and written every `flushMs` (and on close), so a crash loses at most that
 * much; every write is whole lines, so the file stays playable up to the last flush.
 */
export class AsciicastRecorder {
  private fd: number | undefined;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt: number;
  bytes = 0;

  constructor(
    readonly path: string,
    header: AsciicastHeader,
    options: { flushMs?: number; now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.fd = openSync(path, 'wx', 0o640);
    writeSync(this.fd, `${JSON.stringify({ version: 2, ...header })}\n`);
    this.timer = setInterval(() => this.flush(), options.flushMs ?? 500);
    this.timer.unref();
  }

  private readonly now: () => number;

  private elapsed(): number {
    return Math.round((this.now() - this.startedAt) * 1000) / 1_000_000;
  }

  /** Terminal output (already decoded, whole UTF-8 characters). */
  output(text: string) {
    if (this.fd === undefined || !text) return;
    this.bytes += Buffer.byteLength(text);
    this.pending.push(`${JSON.stringify([this.elapsed(), 'o', text])}\n`);
  }

  resize(cols: number, rows: number) {
    if (this.fd === undefined) return;
    this.pending.push(
      `${JSON.stringify([this.elapsed(), 'r', `${cols}x${rows}`])}\n`,
    );
  }

  /** Writes buffered events to the file. */
  flush() {
    if (this.fd === undefined || this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    writeSync(this.fd, chunk);
  }

  close() {
    if (this.fd === undefined) return;
    clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}
