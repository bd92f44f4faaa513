/** A parsed asciicast v2 recording. */
export type Cast = {
  width: number;
  height: number;
  events: Array<[number, string, string]>;
};

/** Parses asciicast v2 text; a torn last line (a recording cut by a crash) is skipped. */
export function parseCast(text: string): Cast {
  const lines = text.split('\n').filter(l => l.trim());
  const header = JSON.parse(lines[0] ?? '{}');
  if (header.version !== 2) throw new Error('Not an asciicast v2 recording');
  const events: Cast['events'] = [];
  for (const line of lines.slice(1)) {
    try {
      const e = JSON.parse(line);
      if (Array.isArray(e) && typeof e[0] === 'number')
        events.push(e as [number, string, string]);
    } catch {
      // incomplete last line
    }
  }
  return { width: header.width ?? 80, height: header.height ?? 24, events };
}
