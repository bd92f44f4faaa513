/** Marker appended once output went beyond the cap. */
export const TRUNCATION_MARKER = '\n[opsdeck: output truncated]\n';

/** Collects one stream's output up to `maxBytes` (UTF-8), then marks it truncated. */
export class OutputBuffer {
  private parts: string[] = [];
  private bytes = 0;
  truncated = false;
  /** Bumped on every change, so a flusher can tell what is new. */
  revision = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: string) {
    if (this.truncated || chunk.length === 0) return;
    const size = Buffer.byteLength(chunk);
    if (this.bytes + size <= this.maxBytes) {
      this.parts.push(chunk);
      this.bytes += size;
    } else {
      const room = this.maxBytes - this.bytes;
      // cut on a character boundary
      const cut = Buffer.from(chunk).subarray(0, room).toString('utf8');
      this.parts.push(cut.replace(/\uFFFD$/, ''), TRUNCATION_MARKER);
      this.bytes = this.maxBytes;
      this.truncated = true;
    }
    this.revision++;
  }

  text(): string {
    return this.parts.join('');
  }

  reset() {
    this.parts = [];
    this.bytes = 0;
    this.truncated = false;
    this.revision++;
  }
}
