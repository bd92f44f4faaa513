import { readFileSync } from 'node:fs';

export type AsciicastEvent = [number, string, string];

/** Parses an asciicast v2 text: the header and its events (a torn last line is ignored). */
export function parseAsciicast(text: string): {
  header: Record<string, unknown>;
  events: AsciicastEvent[];
} {
  const lines = text.split('\n').filter(l => l.trim());
  const header = JSON.parse(lines[0]);
  const events: AsciicastEvent[] = [];
  for (const line of lines.slice(1)) {
    try {
      events.push(JSON.parse(line));
    } catch {
      // the last line of a recording cut by a crash
    }
  }
  return { header, events };
}

/** All terminal output of a recording file, concatenated. */
export function readRecordingOutput(path: string): string {
  return parseAsciicast(readFileSync(path, 'utf8'))
    .events.filter(e => e[1] === 'o')
    .map(e => e[2])
    .join('');
}
