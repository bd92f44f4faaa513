import {
  parseProcessName,
  pgrepCommand,
  processMetrics,
  processOutcome,
  ProcessProber,
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

// The metrics route is the SD token's (Prometheus): whoever holds that read
// token must not make opsdeck log in over SSH (a vault take-out and a
// connection each) as often as they call it. A probe runs at most once per
// half interval; callers in between, and at the same time, share that run.
describe('how often a probe runs', () => {
  const host = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'app-01', namespace: 'default' },
    spec: { type: 'host', address: '127.0.0.1', owner: 'ops' },
  };

  function prober(intervalSeconds = 30) {
    let clock = 1_000_000;
    let probe = {
      id: 7,
      kind: 'process',
      target: 'sshd',
      entityRef: 'resource:default/app-01',
      intervalSeconds,
    };
    const exec = jest.fn(async () => ({
      exitCode: 0,
      stdout: '2\n',
      truncated: false,
      timedOut: false,
      durationMs: 3,
    }));
    const p = new ProcessProber({
      store: { get: async (id: number) => (id === 7 ? probe : undefined) },
      ssh: { exec },
      vault: {
        getSecret: async () => ({
          type: 'password',
          username: 'probe',
          password: 'pw',
        }),
      },
      entityOf: async () => host,
      defaultCredential: 'probe-ssh',
      logger: { warn: () => {} },
      now: () => clock,
    } as any);
    return {
      p,
      exec,
      advance: (ms: number) => {
        clock += ms;
      },
      edit: (target: string) => {
        probe = { ...probe, target };
      },
    };
  }

  it('answers many calls within half an interval with one run', async () => {
    const { p, exec, advance, edit } = prober(30);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => p.metrics(7)),
    );
    expect([...new Set(answers)]).toEqual([answers[0]]);
    expect(answers[0]).toMatch(/^probe_process_count 2$/m);
    for (let i = 0; i < 20; i++) await p.metrics(7);
    expect(exec).toHaveBeenCalledTimes(1);
    advance(14_999);
    await p.metrics(7);
    expect(exec).toHaveBeenCalledTimes(1);
    advance(1);
    await p.metrics(7);
    expect(exec).toHaveBeenCalledTimes(2);
    // an edited probe runs as it now is
    edit('nginx');
    await p.metrics(7);
    expect(exec).toHaveBeenCalledTimes(3);
    expect(exec.mock.calls[2]).toContainEqual("pgrep -c -x -- 'nginx'");
  });

  it('runs no command for an id that is no process probe', async () => {
    const { p, exec } = prober();
    await expect(p.metrics(8)).rejects.toThrow(/No process or script probe 8/);
    expect(exec).not.toHaveBeenCalled();
  });
});
