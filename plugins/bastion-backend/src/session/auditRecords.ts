/**
 * Reads Linux audit records (`ausearch --raw` output: `type=SYSCALL msg=audit(1700000000.123:42):
 * …`) into the programs a session started: one entry per execve event, with its arguments
 * (auditd writes an argument in quotes, or hex-encoded when it has spaces, quotes or control
 * characters, and splits long ones into `aN[0]`, `aN[1]`…).
 */
import type { ExecRecord } from '../database/BastionStore';

/** `"text"` → text; hex → decoded bytes; `(null)` → undefined. */
function auditValue(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '(null)') return undefined;
  if (raw.startsWith('"') && raw.endsWith('"')) return raw.slice(1, -1);
  if (/^[0-9A-F]+$/.test(raw) && raw.length % 2 === 0) {
    return Buffer.from(raw, 'hex').toString('utf8');
  }
  return raw;
}

/** The `key=value` fields of one record (values quoted or bare). */
function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/([\w[\]]+)=("[^"]*"|\S+)/g)) {
    if (!out.has(m[1])) out.set(m[1], m[2]);
  }
  return out;
}

function execArgs(f: Map<string, string>): string[] {
  const argc = Number(f.get('argc') ?? 0);
  const args: string[] = [];
  for (let i = 0; i < argc && i < 4096; i++) {
    const whole = f.get(`a${i}`);
    if (whole !== undefined) {
      args.push(auditValue(whole) ?? '');
      continue;
    }
    // a long argument comes in pieces a1[0], a1[1]… (hex)
    let hex = '';
    for (let j = 0; f.has(`a${i}[${j}]`); j++) hex += f.get(`a${i}[${j}]`);
    args.push(hex ? auditValue(hex) ?? '' : '');
  }
  return args;
}

/** The execve events in `ausearch --raw` output, for session `sessionId`, oldest first. */
export function parseExecRecords(
  text: string,
  sessionId: string,
): ExecRecord[] {
  type Event = {
    at: number;
    syscall?: Map<string, string>;
    exec?: Map<string, string>;
    cwd?: string;
  };
  const events = new Map<string, Event>();
  // EXECVE records of a long command line can arrive split over several lines
  for (const line of text.split('\n')) {
    const m = /^type=(\w+) msg=audit\((\d+)\.(\d+):(\d+)\):\s?(.*)$/.exec(line);
    if (!m) continue;
    const [, type, sec, frac, serial, rest] = m;
    const id = `${sec}.${frac}:${serial}`;
    const ev = events.get(id) ?? {
      at: Number(sec) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3)),
    };
    events.set(id, ev);
    if (type === 'SYSCALL') ev.syscall = fields(rest);
    else if (type === 'EXECVE') {
      const f = fields(rest);
      ev.exec = ev.exec ? new Map([...ev.exec, ...f]) : f;
    } else if (type === 'CWD') ev.cwd = auditValue(fields(rest).get('cwd'));
  }
  const out: ExecRecord[] = [];
  for (const [event, ev] of events) {
    // failed execve (a PATH search miss) ran nothing
    if (!ev.exec || ev.syscall?.get('success') === 'no') continue;
    const num = (k: string) => {
      const v = Number(ev.syscall?.get(k));
      return Number.isFinite(v) ? v : undefined;
    };
    out.push({
      sessionId,
      event,
      at: new Date(ev.at).toISOString(),
      pid: num('pid'),
      ppid: num('ppid'),
      uid: num('uid'),
      exe: auditValue(ev.syscall?.get('exe')),
      argv: execArgs(ev.exec),
      cwd: ev.cwd,
    });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
