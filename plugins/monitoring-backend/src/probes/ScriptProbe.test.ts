import { wrapperCommand } from '@opsdeck/plugin-remote-node';
import { ProcessProber } from './ProcessProber';
import {
  parseScript,
  parseScriptName,
  scriptHash,
  scriptMetrics,
  scriptOutcome,
  scriptPayload,
  SCRIPT_OUTPUT_BYTES,
} from './ScriptProbe';

const result = (over: Partial<Parameters<typeof scriptOutcome>[0]>) => ({
  exitCode: 0,
  stdout: '42\n',
  truncated: false,
  timedOut: false,
  durationMs: 12,
  ...over,
});

describe('what a script probe saves', () => {
  it('takes a script that parses, in sh or bash', async () => {
    const script = "df -P / | awk 'NR==2 { print $5+0 }'\n";
    expect(await parseScript(script)).toEqual({ script, language: 'sh' });
    expect(await parseScript('[[ -d /tmp ]] && echo 1', 'bash')).toEqual({
      script: '[[ -d /tmp ]] && echo 1',
      language: 'bash',
    });
    expect(parseScriptName('disk-root_1.x')).toBe('disk-root_1.x');
  });

  it('refuses a script opsdeck cannot parse, with a code and the place', async () => {
    for (const script of [
      'if [ -f /x ]; then echo 1',
      'echo "unterminated',
      'echo $(date',
      'for x in; do',
    ]) {
      await expect(parseScript(script, 'bash')).rejects.toMatchObject({
        name: 'InputError',
        code: 'probe-script-unparseable',
        message: expect.stringMatching(/cannot parse this script \(line 1/),
      });
    }
  });

  it('refuses what is too large, empty, in another language or no name', async () => {
    await expect(parseScript('echo 1;'.repeat(600))).rejects.toMatchObject({
      code: 'probe-script-too-large',
    });
    // 4096 bytes: multi-byte characters count as bytes
    await expect(parseScript(`echo ${'é'.repeat(2046)}`)).rejects.toMatchObject(
      { code: 'probe-script-too-large' },
    );
    await expect(parseScript('echo a\0b')).rejects.toMatchObject({
      code: 'probe-script-too-large',
    });
    for (const script of ['', '  \n', undefined, 3]) {
      await expect(parseScript(script)).rejects.toMatchObject({
        code: 'probe-script-invalid',
      });
    }
    for (const language of ['python', 'zsh', 'sh -c id']) {
      await expect(parseScript('true', language)).rejects.toMatchObject({
        code: 'probe-script-invalid',
      });
    }
    for (const name of ['', 'a b', 'x'.repeat(64), '-x', 'a;id', 'ä']) {
      expect(() => parseScriptName(name)).toThrow(/script probe is named/);
    }
  });

  it('sends the script the way jobs do: fixed command, script on standard input', () => {
    const script = "echo 1 # '; rm -rf / `id`";
    const { command, stdin } = scriptPayload(script, 'bash');
    expect(command).toBe(wrapperCommand('bash'));
    expect(command).not.toContain(script);
    expect(stdin).toBe(`\n${script}`);
    expect(scriptHash('true')).toMatch(/^[0-9a-f]{64}$/);
    expect(scriptHash('true')).not.toBe(scriptHash('false'));
  });
});

describe('what a (possibly hostile) host answers to a script', () => {
  it('is up with exit 0 in time; the first line is the value when a number', () => {
    expect(scriptOutcome(result({}))).toEqual({
      success: true,
      value: 42,
      exitCode: 0,
      durationMs: 12,
    });
    expect(scriptOutcome(result({ stdout: ' -1.5e3 \nmore\n' })).value).toBe(
      -1500,
    );
    expect(scriptOutcome(result({ stdout: '7' })).value).toBe(7);
    expect(scriptOutcome(result({ exitCode: 1, stdout: '3\n' }))).toEqual({
      success: false,
      value: 3,
      exitCode: 1,
      durationMs: 12,
    });
  });

  it('is down on a timeout or no exit status, and takes no value from garbage or a cut line', () => {
    expect(
      scriptOutcome(result({ exitCode: null, timedOut: true, stdout: '1\n' })),
    ).toEqual({ success: false, durationMs: 12 });
    expect(scriptOutcome(result({ exitCode: null })).success).toBe(false);
    for (const stdout of [
      'ok\n',
      '1 2\n',
      '0x10\n',
      'NaN\n',
      'Infinity\n',
      '1e999\n',
      '',
      'probe_success 1\n',
      `${'9'.repeat(SCRIPT_OUTPUT_BYTES)}`,
    ]) {
      expect(
        scriptOutcome(result({ stdout, truncated: stdout.length > 100 })),
      ).not.toHaveProperty('value');
    }
    // the first line cut by the output cap is no number
    expect(
      scriptOutcome(result({ stdout: '12345', truncated: true })),
    ).not.toHaveProperty('value');
  });

  it('publishes only metrics, never the output', () => {
    const text = scriptMetrics(
      scriptOutcome(result({ stdout: '42\nsecret=hunter2\n' })),
    );
    expect(text).toBe(
      [
        '# HELP probe_success Whether the script exited 0 on the host (opsdeck script probe)',
        '# TYPE probe_success gauge',
        'probe_success 1',
        '# HELP probe_duration_seconds How long the probe took',
        '# TYPE probe_duration_seconds gauge',
        'probe_duration_seconds 0.012',
        '# HELP probe_script_exit_code The exit status of the script',
        '# TYPE probe_script_exit_code gauge',
        'probe_script_exit_code 0',
        '# HELP probe_script_value The first line of the script output (a number)',
        '# TYPE probe_script_value gauge',
        'probe_script_value 42',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('hunter2');
  });
});

describe('a script probe run', () => {
  it('takes the credential at the run and sends the script over standard input', async () => {
    const exec = jest.fn(async (..._args: unknown[]) => ({
      exitCode: 0,
      stdout: '5\n',
      truncated: false,
      timedOut: false,
      durationMs: 3,
    }));
    const getSecret = jest.fn(async () => ({
      type: 'password',
      username: 'probe',
      password: 'pw',
    }));
    const script = 'echo 5 # never on a command line';
    const p = new ProcessProber({
      store: {
        get: async () => ({
          id: 9,
          kind: 'script',
          target: 'five',
          script,
          language: 'bash',
          entityRef: 'resource:default/app-01',
          intervalSeconds: 10,
        }),
      },
      ssh: { exec },
      vault: { getSecret },
      entityOf: async () => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: 'app-01', namespace: 'default' },
        spec: { type: 'host', address: '127.0.0.1', owner: 'ops' },
      }),
      defaultCredential: 'probe-ssh',
      logger: { warn: () => {} },
    } as any);
    expect(await p.metrics(9)).toMatch(/^probe_script_value 5$/m);
    expect(getSecret).toHaveBeenCalledTimes(1);
    const [, command, options] = exec.mock.calls[0] as [
      unknown,
      string,
      { stdin: string; timeoutMs: number; maxOutputBytes: number },
    ];
    expect(command).toBe(wrapperCommand('bash'));
    expect(options).toEqual({
      stdin: `\n${script}`,
      timeoutMs: expect.any(Number),
      maxOutputBytes: SCRIPT_OUTPUT_BYTES,
    });
    expect(options.timeoutMs).toBeLessThanOrEqual(10_000);
  });
});
