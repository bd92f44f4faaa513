import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { asciinemaCat, asciinemaPlay } from './__testUtils__/asciinema';
import { AsciicastRecorder } from './AsciicastRecorder';
import { parseAsciicast } from './readRecording';

// the kill test starts a Node process that compiles the recorder first (slow on a busy machine)
jest.setTimeout(60_000);

describe('AsciicastRecorder', () => {
  it('writes a valid asciicast v2 file with output and resize events', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cast-')), 's.cast');
    let now = 1_000;
    const rec = new AsciicastRecorder(
      file,
      { width: 80, height: 24, timestamp: 1, title: 't' },
      { now: () => now },
    );
    rec.output('hello 你好\r\n');
    now += 1_500;
    rec.resize(100, 30);
    now += 250;
    rec.output('\x1b[31mred\x1b[0m "quoted"');
    rec.close();
    rec.output('after close is ignored');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      version: 2,
      width: 80,
      height: 24,
      timestamp: 1,
      title: 't',
    });
    expect(lines.slice(1).map(l => JSON.parse(l))).toEqual([
      [0, 'o', 'hello 你好\r\n'],
      [1.5, 'r', '100x30'],
      [1.75, 'o', '\x1b[31mred\x1b[0m "quoted"'],
    ]);
    expect(rec.bytes).toBe(
      Buffer.byteLength('hello 你好\r\n\x1b[31mred\x1b[0m "quoted"'),
    );
  });

  it('leaves a playable file when the process is killed mid-session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cast-kill-'));
    const file = join(dir, 'k.cast');
    const root = resolve(__dirname, '../../../..');
    // a separate process records output continuously and is killed with SIGKILL (no cleanup)
    const script = `
      const { AsciicastRecorder } = require(${JSON.stringify(
        resolve(__dirname, 'AsciicastRecorder.ts'),
      )});
      const rec = new AsciicastRecorder(${JSON.stringify(
        file,
      )}, { width: 80, height: 24, timestamp: 1 }, { flushMs: 100 });
      let i = 0;
      setInterval(() => { rec.output('line ' + (i++) + '\\r\\n'); if (i === 5) process.stdout.write('ready\\n'); }, 10);
    `;
    const child = spawn(
      process.execPath,
      [
        '--require',
        join(root, 'node_modules/@backstage/cli-node/config/nodeTransform.cjs'),
        '-e',
        script,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>(done => child.stdout.once('data', () => done()));
    // wait until at least one flush reached the file, then kill without warning
    for (;;) {
      const text = readFileSync(file, 'utf8');
      if (text.split('\n').length > 3) break;
      await new Promise(r => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise(r => child.once('exit', r));

    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true); // only whole lines were ever written
    const cast = parseAsciicast(text);
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24 });
    const lines = text.trimEnd().split('\n').slice(1);
    expect(cast.events).toHaveLength(lines.length); // every line parsed
    expect(cast.events.length).toBeGreaterThan(1);
    cast.events.forEach((e, i) =>
      expect(e).toEqual([expect.any(Number), 'o', `line ${i}\r\n`]),
    );

    // the cut-short file plays to its last event in the stock asciinema player
    const last = `line ${cast.events.length - 1}`;
    for (const result of [
      await asciinemaPlay(file),
      await asciinemaCat(file),
    ]) {
      expect(result.stderr).not.toMatch(/error|traceback/i);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('line 0\r\n');
      expect(result.stdout).toContain(last);
    }
    // and asciinema does reject what a torn write would leave (half a line)
    const torn = join(dir, 'torn.cast');
    writeFileSync(torn, `${text}[1.5, "o", "li`);
    expect((await asciinemaPlay(torn)).code).not.toBe(0);
  });
});
