import {
  parseProcessName,
  pgrepCommand,
  processMetrics,
  processOutcome,
} from './ProcessProber';

const result = (over: Partial<Parameters<typeof processOutcome>[0]>) => ({
  exitCode: 0,
  stdout: '1\n',
  truncated: false,
  timedOut: false,
  durationMs: 12,
  ...over,
});

describe('process probe names and the command', () => {
  it('takes a process name as pgrep -x matches it and builds one fixed command', () => {
    for (const name of [
      'sshd',
      'nginx',
      'php-fpm8.2',
      'kworker_x',
      'a',
      'postgres',
      'x'.repeat(15),
    ]) {
      expect(parseProcessName(name)).toBe(name);
    }
    expect(pgrepCommand('sshd')).toBe("pgrep -c -x -- 'sshd'");
  });

  it('refuses anything else instead of escaping it', () => {
    for (const name of [
      '',
      'x'.repeat(16),
      'a b',
      'a;b',
      'a$(id)',
      'a`id`',
      "a'b",
      'a\nb',
      '-f',
      '.x',
      'a/b',
      'a*',
      'ä',
      'sshd\u0000',
    ]) {
      expect(() => parseProcessName(name)).toThrow(/names one process/);
      expect(() => pgrepCommand(name)).toThrow(/names one process/);
    }
  });
});

describe('what a (possibly hostile) host answers', () => {
  it('is up only with exit 0 and a count of one or more', () => {
    expect(processOutcome(result({}))).toEqual({
      success: true,
      count: 1,
      durationMs: 12,
    });
    expect(processOutcome(result({ exitCode: 1, stdout: '0\n' }))).toEqual({
      success: false,
      count: 0,
      durationMs: 12,
    });
  });

  it('counts nothing and is down when the answer is no count', () => {
    const answers = [
      result({ stdout: 'x'.repeat(256), truncated: true }),
      result({ stdout: '12\n…[output truncated]', truncated: true }),
      result({ stdout: '3\nprobe_success 1\n' }),
      result({ stdout: '1\n', timedOut: true, exitCode: null }),
      result({ stdout: '0\n' }), // exit 0 with no process
      result({ exitCode: 1, stdout: '5\n' }), // a count with "none found"
      result({ exitCode: 2, stdout: '' }),
      result({ exitCode: 127, stdout: '' }),
      result({ stdout: '-1\n' }),
      result({ stdout: '99999999\n' }),
    ];
    for (const r of answers) {
      const o = processOutcome(r);
      expect([r.stdout, o.success]).toEqual([r.stdout, false]);
      expect([r.stdout, o.count]).toEqual([r.stdout, undefined]);
    }
  });

  it('writes only its own metrics: nothing of the host answer reaches the text', () => {
    const text = processMetrics(
      processOutcome(result({ stdout: '1\nprobe_success 1\nup 1\n' })),
    );
    expect(text).toMatch(/^probe_success 0$/m);
    expect(text).not.toMatch(/^up /m);
    expect(text).not.toMatch(/probe_process_count/);
    expect(processMetrics({ success: true, count: 3, durationMs: 1500 })).toBe(
      [
        '# HELP probe_success Whether the named process runs on the host (opsdeck process probe)',
        '# TYPE probe_success gauge',
        'probe_success 1',
        '# HELP probe_duration_seconds How long the probe took',
        '# TYPE probe_duration_seconds gauge',
        'probe_duration_seconds 1.500',
        '# HELP probe_process_count Processes of that name (pgrep -c -x)',
        '# TYPE probe_process_count gauge',
        'probe_process_count 3',
        '',
      ].join('\n'),
    );
  });
});
