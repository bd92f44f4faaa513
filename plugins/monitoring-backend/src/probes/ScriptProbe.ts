import { InputError } from '@backstage/errors';
import {
  PROBE_SCRIPT_MAX_BYTES,
  type ProbeScriptLanguage,
} from '@opsdeck/plugin-monitoring-common';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import {
  shellSyntaxErrors,
  wrapperCommand,
  wrapperStdin,
} from '@opsdeck/plugin-remote-node';
import { createHash } from 'node:crypto';

/**
 * Script probes: a short sh/bash script run on the probe's host the way
 * jobs run scripts (remote-node's fixed `wrapperCommand`, the script over
 * standard input, never on a command line). Exit 0 is up, anything else
 * (or the timeout) down; the first line of the output, when a number, is
 * the probe's value. Nothing else of the output leaves this file.
 */

/** A script probe's name (its `target`): a label value, not a host. */
const SCRIPT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,62}$/;

/** Bytes of a script's output kept: the first line is all that is read. */
export const SCRIPT_OUTPUT_BYTES = 1024;

/** The interpreters a script probe may name. */
const LANGUAGES: readonly ProbeScriptLanguage[] = ['sh', 'bash'];

/** A script probe's name; InputError when it is not one. */
export function parseScriptName(raw: string): string {
  if (typeof raw !== 'string' || !SCRIPT_NAME.test(raw)) {
    throw coded(
      new InputError(
        'A script probe is named with 1 to 63 of A-Z a-z 0-9 . _ - (not starting with . or -)',
      ),
      'monitoring-target-invalid',
    );
  }
  return raw;
}

/**
 * The script and language of a script probe as they are saved: at most
 * {@link PROBE_SCRIPT_MAX_BYTES} bytes of UTF-8 without NUL, sh or bash, and
 * parsed with the bash grammar (tree-sitter-bash, remote-node): a script
 * opsdeck cannot parse is refused (`probe-script-unparseable`, naming the
 * first place), not run to find out.
 */
export async function parseScript(
  script: unknown,
  language: unknown = 'sh',
): Promise<{ script: string; language: ProbeScriptLanguage }> {
  if (!LANGUAGES.includes(language as ProbeScriptLanguage)) {
    throw coded(
      new InputError('A script probe is written in sh or bash'),
      'probe-script-invalid',
    );
  }
  if (typeof script !== 'string' || !script.trim()) {
    throw coded(
      new InputError('A script probe needs a script'),
      'probe-script-invalid',
    );
  }
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes > PROBE_SCRIPT_MAX_BYTES || script.includes('\0')) {
    throw coded(
      new InputError(
        `A probe script is at most ${PROBE_SCRIPT_MAX_BYTES} bytes of text (this one: ${bytes})`,
      ),
      'probe-script-too-large',
      { max: PROBE_SCRIPT_MAX_BYTES },
    );
  }
  const [first] = await shellSyntaxErrors(script, 1);
  if (first) {
    throw coded(
      new InputError(
        `opsdeck cannot parse this script (line ${first.line}, column ${
          first.column
        }${first.missing ? ': something is missing' : ''}); it is not saved`,
      ),
      'probe-script-unparseable',
      { line: first.line, column: first.column },
    );
  }
  return { script, language: language as ProbeScriptLanguage };
}

/** SHA-256 (hex) of a script: what audit events hold instead of its text. */
export function scriptHash(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** The fixed command and the standard input one run of a script sends. */
export function scriptPayload(
  script: string,
  language: ProbeScriptLanguage,
): { command: string; stdin: string } {
  return { command: wrapperCommand(language), stdin: wrapperStdin(script, {}) };
}

/** What one run of a script probe found. */
export interface ScriptOutcome {
  success: boolean;
  /** The first line of the output, when it was a number. */
  value?: number;
  exitCode?: number;
  durationMs: number;
}

const NUMBER =
  /^[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][+-]?\d{1,3})?$/;

/**
 * The outcome of a run as the (possibly hostile) host answered: up only
 * with exit 0 in time; the value only from a run that ended in time, when
 * the first line arrived whole (inside the output cap) and is a finite
 * number. The rest of the output
 * is dropped.
 */
export function scriptOutcome(r: {
  exitCode: number | null;
  stdout: string;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}): ScriptOutcome {
  const end = r.stdout.indexOf('\n');
  const whole = !r.timedOut && (end >= 0 || !r.truncated);
  const line = (end >= 0 ? r.stdout.slice(0, end) : r.stdout).trim();
  const value = whole && NUMBER.test(line) ? Number(line) : undefined;
  return {
    success: r.exitCode === 0 && !r.timedOut,
    ...(value !== undefined && Number.isFinite(value) ? { value } : {}),
    ...(r.exitCode !== null && !r.timedOut ? { exitCode: r.exitCode } : {}),
    durationMs: r.durationMs,
  };
}

/** The outcome in Prometheus' text format, named as the blackbox exporter names its own. */
export function scriptMetrics(o: ScriptOutcome): string {
  const lines = [
    '# HELP probe_success Whether the script exited 0 on the host (opsdeck script probe)',
    '# TYPE probe_success gauge',
    `probe_success ${o.success ? 1 : 0}`,
    '# HELP probe_duration_seconds How long the probe took',
    '# TYPE probe_duration_seconds gauge',
    `probe_duration_seconds ${(o.durationMs / 1000).toFixed(3)}`,
  ];
  if (o.exitCode !== undefined) {
    lines.push(
      '# HELP probe_script_exit_code The exit status of the script',
      '# TYPE probe_script_exit_code gauge',
      `probe_script_exit_code ${o.exitCode}`,
    );
  }
  if (o.value !== undefined) {
    lines.push(
      '# HELP probe_script_value The first line of the script output (a number)',
      '# TYPE probe_script_value gauge',
      `probe_script_value ${o.value}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
