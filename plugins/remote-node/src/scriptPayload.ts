import { InputError } from '@backstage/errors';

/** The languages a script is run in (jobs' scripts, script probes). */
export type ScriptLanguage = 'sh' | 'bash' | 'python';

/** Parameter names become `OPSDECK_PARAM_<NAME>`. */
export const PARAM_NAME = /^[A-Z][A-Z0-9_]{0,62}$/;

const INTERPRETERS: Record<ScriptLanguage, string> = {
  sh: 'sh',
  bash: 'bash',
  python: 'python3',
};

/**
 * The command sent over SSH to run a script (jobs, script probes). It is fixed text (only the interpreter name
 * varies): parameter values and the script come over standard input, so no
 * value is ever part of a command line or of the script text.
 *
 * Standard input holds one `NAME=<base64 of the value>` line per parameter, an
 * empty line, then the script. The wrapper decodes each value into a file,
 * exports it as `OPSDECK_PARAM_NAME` (the `x` sentinel keeps trailing
 * newlines), stores the script in a private temporary directory, runs it with
 * /dev/null as its standard input, and removes the directory. Exit status 125
 * means the wrapper itself failed. Needs a POSIX login shell and `base64`.
 */
export function wrapperCommand(language: ScriptLanguage): string {
  const interpreter = INTERPRETERS[language];
  return [
    'umask 077',
    'd=$(mktemp -d 2>/dev/null || mktemp -d -t opsdeck) || exit 125',
    `trap 'rm -rf "$d"' EXIT`,
    `trap 'exit 143' TERM`,
    `trap 'exit 129' HUP`,
    'while IFS= read -r l; do',
    '  [ -z "$l" ] && break',
    '  n=${l%%=*}',
    `  printf '%s' "\${l#*=}" | base64 -d > "$d/v" || exit 125`,
    `  v=$(cat "$d/v"; printf x)`,
    '  export "OPSDECK_PARAM_$n=${v%x}" || exit 125',
    'done',
    'rm -f "$d/v"',
    `cat > "$d/script" || exit 125`,
    `${interpreter} "$d/script" < /dev/null`,
  ].join('\n');
}

/** The standard input for {@link wrapperCommand}. */
export function wrapperStdin(
  script: string,
  env: Record<string, string>,
): string {
  const lines = Object.entries(env).map(([name, value]) => {
    if (!PARAM_NAME.test(name)) {
      throw new InputError(`Invalid parameter name '${name}'`);
    }
    if (value.includes('\0')) {
      throw new InputError(`Parameter ${name} contains a NUL byte`);
    }
    return `${name}=${Buffer.from(value, 'utf8').toString('base64')}\n`;
  });
  return `${lines.join('')}\n${script}`;
}
