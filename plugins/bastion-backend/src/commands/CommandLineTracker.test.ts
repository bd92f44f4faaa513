import { CommandLineTracker } from './CommandLineTracker';

function lines(tracker: CommandLineTracker, ...inputs: string[]) {
  const out: Array<[string, boolean]> = [];
  for (const input of inputs) {
    for (const p of tracker.feed(input)) {
      if (p.kind === 'enter') {
        out.push([p.line.command, p.line.uncertain]);
        // the gate remembers the lines the shell ran
        tracker.remember(p.line.command, p.line.uncertain);
      }
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
      ['echo a', false],
      ['echo b', false],
    ]);
  });

  it('submits a line at Enter, Ctrl-J, Ctrl-M, Ctrl-O and at every line break of a paste', () => {
    const t = new CommandLineTracker();
    expect(lines(t, 'a\r', 'b\n', 'c\x0f', '\x1b[200~d\ne\x1b[201~\r')).toEqual(
      [
        ['a', false],
        ['b', false],
        ['c', false],
        ['d', false],
        ['e', false],
      ],
    );
  });

  it('keeps what readline keeps: kill and yank, transpose, Ctrl-P recall', () => {
    const t = new CommandLineTracker();
    // Ctrl-A Ctrl-K kills the whole line, Ctrl-Y yanks it back: bash runs it
    expect(lines(t, 'rm -rf /\x01\x0b\x19\r')).toEqual([['rm -rf /', false]]);
    t.remember('ls -l');
    expect(lines(t, '\x10\r', 'sl\x14\r')).toEqual([
      ['ls -l', false],
      ['ls', false],
    ]);
    // recall past this session's first line: only the host knows it
    expect(lines(t, '\x10\x10\x10\x10\x10\r')).toEqual([['rm -rf /', true]]);
  });

  it('blocks Ctrl-X Ctrl-E (edit and run in an editor)', () => {
    const t = new CommandLineTracker();
    const pieces = t.feed('ls\x18\x05');
    expect(pieces.map(p => p.kind)).toEqual(['text', 'blocked']);
  });
});
