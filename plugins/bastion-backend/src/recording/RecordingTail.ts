import { open } from 'node:fs/promises';

/**
 * Follows an asciicast file that another process is writing: each `read()` returns the
 * output of the events appended since the last one. Only whole lines count (the writer
 * appends whole lines, but a read may catch a write half done).
 */
export class RecordingTail {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private headerSeen = false;

  constructor(readonly path: string) {}

  async read(): Promise<string> {
    const file = await open(this.path, 'r');
    const chunks: Buffer[] = [];
    try {
      for (;;) {
        const buf = Buffer.alloc(64 * 1024);
        const { bytesRead } = await file.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        chunks.push(buf.subarray(0, bytesRead));
      }
    } finally {
      await file.close();
    }
    // lines end in \n, which never occurs inside a UTF-8 sequence: cut before decoding
    const bytes = Buffer.concat([this.partial, ...chunks]);
    const cut = bytes.lastIndexOf(0x0a);
    if (cut < 0) {
      this.partial = bytes;
      return '';
    }
    this.partial = bytes.subarray(cut + 1);
    const text = bytes.subarray(0, cut).toString('utf8');
    let out = '';
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      if (!this.headerSeen) {
        this.headerSeen = true;
        continue;
      }
      const event = JSON.parse(line);
      if (Array.isArray(event) && event[1] === 'o') out += String(event[2]);
    }
    return out;
  }
}
