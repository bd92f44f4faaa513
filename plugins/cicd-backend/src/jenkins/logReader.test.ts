import { FixtureJenkins } from '../testUtils';
import { readLogTail } from './logReader';

describe('readLogTail against the fixture Jenkins', () => {
  const lines = Array.from(
    { length: 5000 },
    (_, i) => `line ${i + 1} ${'x'.repeat(20)}`,
  );
  const consoleText = `${lines.join('\n')}\n`;
  let jenkins: FixtureJenkins;
  beforeAll(async () => {
    jenkins = new FixtureJenkins({ chunk: 16_384 }).addJob({
      fullName: 'app',
      kind: 'pipeline',
      builds: [
        {
          number: 1,
          result: 'FAILURE',
          timestamp: 1,
          duration: 1,
          console: consoleText,
        },
        {
          number: 2,
          result: null,
          building: true,
          timestamp: 2,
          duration: 1,
          console: consoleText,
        },
      ],
    });
    await jenkins.start();
  });
  afterAll(() => jenkins.stop());

  const read = (n: number, maxLogBytes: number, maxFetchBytes = 1 << 26) =>
    readLogTail({
      url: `${jenkins.url}/job/app/${n}/logText/progressiveText`,
      headers: {},
      maxLogBytes,
      maxFetchBytes,
      timeoutMs: 10_000,
    });

  it('reads a finished build in one request', async () => {
    jenkins.requests.length = 0;
    const tail = await read(1, 1 << 20);
    expect(tail).toEqual({ text: consoleText, firstLine: 1, truncated: false });
    expect(jenkins.requests.map(r => r.query.start)).toEqual(['0']);
  });

  it('follows X-Text-Size / X-More-Data of a running build', async () => {
    jenkins.requests.length = 0;
    const tail = await read(2, 1 << 20);
    expect(tail.text).toBe(consoleText);
    const starts = jenkins.requests.map(r => Number(r.query.start));
    expect(starts.length).toBeGreaterThan(5);
    expect(starts.slice(0, 3)).toEqual([0, 16_384, 32_768]);
  });

  it('keeps only the tail, starting on a whole line with its number', async () => {
    const tail = await read(1, 10_000);
    const kept = tail.text.split('\n').filter(Boolean);
    expect(tail.truncated).toBe(true);
    expect(tail.text.length).toBeLessThanOrEqual(10_000);
    expect(kept[kept.length - 1]).toBe(lines[lines.length - 1]);
    expect(kept[0]).toBe(lines[tail.firstLine - 1]);
  });

  it('stops reading after maxFetchBytes', async () => {
    const tail = await read(1, 1 << 20, 50_000);
    expect(tail.truncated).toBe(true);
    expect(Buffer.byteLength(tail.text)).toBeLessThanOrEqual(50_000);
    expect(tail.text.startsWith('line 1 ')).toBe(true);
  });
});
