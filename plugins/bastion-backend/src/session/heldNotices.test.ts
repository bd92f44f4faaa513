import { HeldNotices } from './heldNotices';

const NOTICE = '\r\n[opsdeck] Command refused: touch x\r\n';

function notices() {
  const said: string[] = [];
  return { said, held: new HeldNotices(t => said.push(t)) };
}

describe('HeldNotices', () => {
  afterEach(() => jest.useRealTimers());

  it('waits for the host output the user typed ahead of: a screen switch cannot hide the notice', () => {
    const { said, held } = notices();
    held.hold(NOTICE);
    // output owed for the line before (a full-screen switch), then the echo and the ^C answer
    const shown = [
      held.weave('\x1b[?1049h'),
      held.weave('$ '),
      held.weave('touch x'),
      held.weave('^C\r\n$ '),
    ].join('');
    expect(said).toEqual([]);
    expect(shown).toBe(
      '\x1b[?1049h$ touch x^C\r\n[opsdeck] Command refused: touch x\r\n$ ',
    );
    // shown once
    expect(held.weave('ls\r\n')).toBe('ls\r\n');
  });

  it('ignores line breaks before the ^C and finds a ^C split between chunks', () => {
    const { held } = notices();
    held.hold(NOTICE);
    expect(held.weave('total 0\r\nfile\r\n')).toBe('total 0\r\nfile\r\n');
    expect(held.weave('$ touch x^')).toBe('$ touch x^');
    expect(held.weave('C')).toBe('C');
    expect(held.weave('\r\n$ ')).toBe(
      '\r\n[opsdeck] Command refused: touch x\r\n$ ',
    );
  });

  it('says it after the wait when the host echoes no ^C (a program owns the terminal)', () => {
    jest.useFakeTimers();
    const { said, held } = notices();
    held.hold(NOTICE);
    expect(held.weave('\x1b[H\x1b[2J~\r\n~\r\n')).toBe(
      '\x1b[H\x1b[2J~\r\n~\r\n',
    );
    expect(said).toEqual([]);
    jest.advanceTimersByTime(3000);
    expect(said).toEqual([NOTICE]);
    // not twice
    expect(held.weave('^C\r\n$ ')).toBe('^C\r\n$ ');
    jest.advanceTimersByTime(3000);
    expect(said).toEqual([NOTICE]);
  });

  it('says what it holds when the session ends', () => {
    const { said, held } = notices();
    held.hold(NOTICE);
    held.flush();
    expect(said).toEqual([NOTICE]);
    held.flush();
    expect(said).toEqual([NOTICE]);
  });
});
