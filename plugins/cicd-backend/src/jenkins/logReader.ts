/** The tail of a console log as read. */
export interface LogTail {
  text: string;
  /** Number (1-based) of the first line of `text` in the whole log. */
  firstLine: number;
  /** Whether the head was dropped or the reading stopped before the end. */
  truncated: boolean;
}

/**
 * Reads a console log through Jenkins' `logText/progressiveText?start=`
 * (the API its own console page polls): each answer says the next offset
 * (X-Text-Size) and whether the build is still writing (X-More-Data). The
 * body is streamed: only the last `maxLogBytes` are kept, and reading stops
 * after `maxFetchBytes`, so a huge or endless log costs bounded memory and
 * time.
 */
export async function readLogTail(options: {
  url: string;
  headers: Record<string, string>;
  maxLogBytes: number;
  maxFetchBytes: number;
  timeoutMs: number;
  /** Rounds for a running build (default 20). */
  maxRounds?: number;
}): Promise<LogTail> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let droppedLines = 0;
  let dropped = false;
  let fetched = 0;
  let start = 0;
  let stoppedEarly = false;
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    kept += chunk.length;
    while (kept - chunks[0].length >= options.maxLogBytes) {
      const head = chunks.shift()!;
      kept -= head.length;
      droppedLines += countNewlines(head);
      dropped = true;
    }
  };
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    const res = await fetch(`${options.url}?start=${start}`, {
      headers: options.headers,
      signal: AbortSignal.timeout(options.timeoutMs),
      // a redirect would make the backend read (and show) another address
      redirect: 'manual',
    });
    if (!res.ok || !res.body) {
      throw new Error(`console log: HTTP ${res.status}`);
    }
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value);
      const room = options.maxFetchBytes - fetched;
      keep(chunk.length > room ? chunk.subarray(0, room) : chunk);
      fetched += Math.min(chunk.length, room);
      if (fetched >= options.maxFetchBytes) {
        stoppedEarly = true;
        await reader.cancel();
        break;
      }
    }
    const size = Number(res.headers.get('x-text-size'));
    const more = res.headers.get('x-more-data') === 'true';
    if (stoppedEarly || !more || !Number.isFinite(size) || size <= start) break;
    start = size;
  }
  let buffer = Buffer.concat(chunks);
  if (buffer.length > options.maxLogBytes) {
    const cut = buffer.length - options.maxLogBytes;
    droppedLines += countNewlines(buffer.subarray(0, cut));
    buffer = buffer.subarray(cut);
    dropped = true;
  }
  if (dropped) {
    // start on a whole line
    const nl = buffer.indexOf(10);
    if (nl >= 0) {
      buffer = buffer.subarray(nl + 1);
      droppedLines += 1;
    }
  }
  return {
    text: buffer.toString('utf8'),
    firstLine: droppedLines + 1,
    truncated: dropped || stoppedEarly,
  };
}

function countNewlines(b: Buffer): number {
  let n = 0;
  let i = b.indexOf(10);
  while (i >= 0) {
    n++;
    i = b.indexOf(10, i + 1);
  }
  return n;
}
