import { execFile } from 'node:child_process';

export type AsciinemaResult = { code: number; stdout: string; stderr: string };

function run(file: string, args: string[]): Promise<AsciinemaResult> {
  return new Promise(resolve => {
    const child = execFile(
      file,
      args,
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        // the exit status; -1 when the program could not run at all (e.g. not installed)
        let code = 0;
        if (error) {
          const status = (error as { code?: unknown }).code;
          code = typeof status === 'number' ? status : -1;
        }
        resolve({ code, stdout, stderr: stderr || String(error ?? '') });
      },
    );
    // stdin is not a terminal: the player must work without one
    child.stdin?.end();
  });
}

/**
 * `asciinema play` of Debian's stock player (no skip when it is missing: the test fails with
 * ENOENT), with idle time capped so a recording plays in well under a second.
 */
export function asciinemaPlay(cast: string): Promise<AsciinemaResult> {
  return run('asciinema', ['play', '-i', '0.01', cast]);
}

/**
 * `asciinema cat`. Version 2.2 opens /dev/tty even for cat, so it runs in a pseudo-terminal
 * made by util-linux `script` (the output is the same bytes, through the pty).
 */
export function asciinemaCat(cast: string): Promise<AsciinemaResult> {
  const quoted = `'${cast.replace(/'/g, `'\\''`)}'`;
  return run('script', [
    '--quiet',
    '--return',
    '--command',
    `asciinema cat ${quoted}`,
    '/dev/null',
  ]);
}
