import { spawnSync } from 'node:child_process';
import { PARAM_NAME, wrapperCommand, wrapperStdin } from './scriptPayload';

/** Runs the wrapper as an SSH server's login shell would: `sh -c COMMAND`. */
function run(
  language: 'sh' | 'bash',
  script: string,
  env: Record<string, string> = {},
) {
  const r = spawnSync('sh', ['-c', wrapperCommand(language)], {
    input: wrapperStdin(script, env),
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout };
}

describe('the script wrapper (jobs, script probes)', () => {
  it('is fixed text: the script and the values never are on the command line', () => {
    const command = wrapperCommand('bash');
    expect(command).toContain('bash "$d/script" < /dev/null');
    expect(wrapperCommand('sh')).toContain('sh "$d/script" < /dev/null');
    expect(wrapperCommand('python')).toContain('python3 "$d/script"');
    const stdin = wrapperStdin('echo $OPSDECK_PARAM_A', { A: "x'; rm -rf /" });
    expect(stdin).toBe(
      `A=${Buffer.from("x'; rm -rf /").toString(
        'base64',
      )}\n\necho $OPSDECK_PARAM_A`,
    );
    expect(command).not.toContain('rm -rf /');
  });

  it('runs the script with its parameters and its exit status', () => {
    expect(
      run('sh', 'printf "%s|" "$OPSDECK_PARAM_A"; exit 3', {
        A: 'two\nlines\n',
      }),
    ).toEqual({ code: 3, stdout: 'two\nlines\n|' });
    expect(run('bash', 'echo 42; [[ 1 -eq 1 ]]')).toEqual({
      code: 0,
      stdout: '42\n',
    });
  });

  it('gives the script no standard input and leaves no files behind', () => {
    const r = run('sh', 'cat; echo "$0"');
    expect(r.code).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(/\/script$/);
    expect(spawnSync('test', ['-e', path]).status).toBe(1);
  });

  it('refuses parameter names and values it cannot carry', () => {
    expect(PARAM_NAME.test('HOST_1')).toBe(true);
    expect(() => wrapperStdin('true', { 'a=b': 'x' })).toThrow(
      /Invalid parameter name/,
    );
    expect(() => wrapperStdin('true', { A: 'x\0y' })).toThrow(/NUL byte/);
  });
});
