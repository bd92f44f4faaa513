import { CommandLineTracker } from './CommandLineTracker';

function lines(tracker: CommandLineTracker, ...inputs: string[]) {
  const out: Array<[string, boolean]> = [];
  for (const input of inputs) {
    for (const p of tracker.feed(input)) {
      if (p.kind === 'enter') out.push([p.line.command, p.line.uncertain]);
    }
  }
  return out;
}

describe('CommandLineTracker', () => {
  it('follows backspace, Ctrl-U, Ctrl-W, cursor moves and insertion', () => {
    const t = new CommandLineTracker();
    expect(
      lines(
        t,
        'lss\x7f -l\r',
        'rm -rf /\x15echo ok\r',
        'git push --force\x17\x17status\r',
        'ech\x1b[D\x1b[D\x1b[Dsudo \x1b[F o\r',
        'ab\x01X\x05Y\r',
      ),
    ).toEqual([
      ['ls -l', false],
      ['echo ok', false],
      ['git status', false],
      ['sudo ech o', false],
      ['XabY', false],
    ]);
  });

  it("recalls this session's history with the arrow keys and flags what only the host knows", () => {
    const t = new CommandLineTracker();
    expect(
      lines(
        t,
        'uptime\r',
        '\x1b[A\r',
        '\x1b[A\x1b[A\x1b[A\r',
        'cat /etc/hos\t\r',
      ),
    ).toEqual([
      ['uptime', false],
      ['uptime', false],
      ['uptime', true], // went past the first command of the session
      ['cat /etc/hos', true],
    ]);
  });

  it('handles escape sequences split across chunks, pastes and Ctrl-C', () => {
    const t = new CommandLineTracker();
    expect(
      lines(
        t,
        'abc\x1b',
        '[D\x1b[3~\r',
        'half\x03',
        '\x1b[200~echo a\necho b\x1b[201~\r',
      ),
    ).toEqual([
      ['ab', false],
      ['echo a\necho b', false],
    ]);
  });

  it('ignores keys while a full-screen program has the screen', () => {
    const t = new CommandLineTracker();
    expect(lines(t, 'vim x\r')).toEqual([['vim x', false]]);
    t.observeOutput('\x1b[?1049h');
    const pieces = t.feed('ihello\x1b:wq\r');
    expect(pieces.every(p => p.kind === 'text')).toBe(true);
    t.observeOutput('\x1b[?1049l');
    expect(lines(t, 'ls\r')).toEqual([['ls', false]]);
  });
});
