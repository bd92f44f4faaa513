/**
 * The judge between the browser and the shell: every key that submits a line passes here, the
 * line (with the lines the shell is still collecting: continuations, open quotes, heredocs) is
 * read with the bash grammar and judged by the rules, and only then does the key reach the
 * host. Nothing the host prints can switch this off: a program that owns the terminal (vim,
 * mysql…) relaxes only the refusal of lines the grammar cannot read, and only when the line
 * that started it named such a program; its keys are then stored as keystrokes.
 */
import { analyseLine } from './analyse';
import { CommandLineTracker, type LineEvent } from './CommandLineTracker';
import type { CommandAction, CommandRule } from '../database/BastionStore';
import type { LineAnalysis } from './model';
import { judge, type CompiledRule, type Verdict } from './rules';
import { isInteractiveProgram } from './wrappers';

const RED = '\x1b[1;31m';
const YELLOW = '\x1b[1;33m';
const RESET = '\x1b[0m';

/** A line that passed the gate (or did not), for the command log and the audit. */
export type GateRecord = {
  command: string;
  action: CommandAction;
  rule?: CommandRule;
  detail?: string;
  reviewedBy?: string;
  /** Known only in part (edited with keys only the host understands). */
  uncertain: boolean;
};

/** What an approver decided about a command under a `review` rule. */
export type ReviewOutcome = { approved: boolean; by?: string; reason: string };

export interface GateHost {
  /** Bytes to the shell. */
  write(data: string): void;
  /**
   * Text shown to the user (and recorded) that the host never sees. `afterInterrupt`: about
   * the Ctrl-C just sent, shown after the host's answer to it (see HeldNotices).
   */
  say(text: string, afterInterrupt?: boolean): void;
  record(entry: GateRecord): void;
  /** Asks approvers; resolves when one decided, the request timed out or was cancelled. */
  review(
    command: string,
    verdict: Verdict,
    cancel: AbortSignal,
  ): Promise<ReviewOutcome>;
}

const ANSI =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[@-Z\\-_])/g;
const PASSWORD_PROMPT =
  /(password|passphrase|passcode|密码|口令)[^\n]*[:：]\s*$/i;

/** What the command log says of a line that ran. */
function runAction(verdict: Verdict, reviewedBy?: string): CommandAction {
  if (reviewedBy) return 'approved';
  return verdict.action === 'alert' ? 'alerted' : 'run';
}

/** Control characters in caret notation, for the keystroke record. */
function printable(keys: string): string {
  // eslint-disable-next-line no-control-regex
  return keys.replace(/[\x00-\x1f\x7f]/g, c =>
    c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`,
  );
}

export class CommandGate {
  private readonly tracker = new CommandLineTracker();
  /** Lines the shell collects until the command is complete (`r\`, `echo '…`). */
  private pending = '';
  private pendingUncertain = false;
  /** The output line when the user started typing the current line (the prompt). */
  private promptAtStart = '';
  private echoSeen = false;
  /** The shell prompt seen when a terminal-owning program started; its return ends the mode. */
  private program?: { prompt: string };
  private outputLine = '';
  /** Input held while a command waits for review. */
  private held: string[] | undefined;
  private reviewAbort?: AbortController;

  constructor(
    private readonly host: GateHost,
    private readonly rules: () => CompiledRule[],
  ) {}

  /** True while a program started from the prompt owns the terminal (lines are keystrokes). */
  get inProgram(): boolean {
    return this.program !== undefined;
  }

  /** True while a command waits for an approver. */
  get waiting(): boolean {
    return this.held !== undefined;
  }

  /** Follows the host's output: the current line (prompt detection) and echo. */
  observeOutput(text: string) {
    const plain = text.replace(ANSI, '');
    const nl = Math.max(plain.lastIndexOf('\n'), plain.lastIndexOf('\r'));
    this.outputLine = nl >= 0 ? plain.slice(nl + 1) : this.outputLine + plain;
    if (this.outputLine.length > 512)
      this.outputLine = this.outputLine.slice(-512);
    if (!this.tracker.empty) this.echoSeen = true;
    if (
      this.program &&
      this.outputLine.trimEnd() !== '' &&
      this.outputLine.trimEnd() === this.program.prompt.trimEnd()
    ) {
      // the shell's prompt is back: the program ended, lines are commands again
      this.program = undefined;
      this.tracker.reset();
      this.pending = '';
      this.pendingUncertain = false;
    }
  }

  /** Keys from the browser. */
  input(data: string) {
    if (this.held) {
      this.held.push(data);
      // Ctrl-C while waiting withdraws the request
      if (data.includes('\x03')) this.reviewAbort?.abort();
      return;
    }
    if (this.tracker.empty && !this.pending) {
      this.promptAtStart = this.outputLine;
      this.echoSeen = false;
    }
    const pieces = this.tracker.feed(data);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (piece.kind === 'text') {
        this.host.write(piece.data);
        continue;
      }
      if (piece.kind === 'blocked') {
        this.host.say(`\r\n${RED}[opsdeck] ${piece.reason}${RESET}\r\n`);
        continue;
      }
      const rest = pieces.slice(i + 1);
      if (!this.submit(piece.data, piece.line)) {
        return; // refused: the rest of this input (e.g. more lines of a paste) is dropped
      }
      const held = this.held as string[] | undefined;
      if (held) {
        // waiting for review: what follows waits too
        held.push(...rest.map(p => p.data));
        return;
      }
      if (this.tracker.empty && !this.pending) {
        this.promptAtStart = this.outputLine;
        this.echoSeen = false;
      }
    }
  }

  /** Judges a submitted line; false when it was refused. */
  private submit(key: string, line: LineEvent): boolean {
    const text = this.pending
      ? `${this.pending}\n${line.command}`
      : line.command;
    const uncertain = this.pendingUncertain || line.uncertain;
    const passwordLine =
      !this.pending &&
      PASSWORD_PROMPT.test(this.promptAtStart) &&
      !this.echoSeen;
    if (!text.trim() && !uncertain) {
      this.pending = '';
      this.host.write(key);
      return true;
    }
    const analysis = analyseLine(text);
    const lenient = this.program !== undefined || passwordLine;
    if (lenient)
      return this.submitKeystrokes(key, line, analysis, passwordLine);
    const hostEdited = uncertain ? text : undefined;
    if (analysis.status === 'incomplete') {
      // the shell asks for more: judge what is known now, then let it collect the rest
      const partial = judge(
        this.rules(),
        { ...analysis, status: 'ok' },
        { hostEdited },
      );
      if (partial.action === 'reject')
        return this.refuse(text, partial, uncertain);
      this.pending = text;
      this.pendingUncertain = uncertain;
      this.host.write(key);
      return true;
    }
    this.pending = '';
    this.pendingUncertain = false;
    const verdict = judge(this.rules(), analysis, { hostEdited });
    if (verdict.action === 'reject')
      return this.refuse(text, verdict, uncertain);
    if (verdict.action === 'review') {
      this.awaitReview(key, text, verdict, analysis, uncertain);
      return true;
    }
    this.run(key, text, verdict, analysis, uncertain);
    return true;
  }

  private run(
    key: string,
    text: string,
    verdict: Verdict,
    analysis: LineAnalysis,
    uncertain: boolean,
    reviewedBy?: string,
  ) {
    this.host.write(key);
    this.tracker.remember(text, uncertain);
    if (verdict.action === 'alert') {
      this.host.say(
        `\r\n${YELLOW}[opsdeck] Alert raised by rule "${verdict.rule?.name}"${RESET}\r\n`,
      );
    }
    this.host.record({
      command: text,
      action: runAction(verdict, reviewedBy),
      rule: verdict.rule,
      detail: verdict.detail,
      reviewedBy,
      uncertain,
    });
    const prompt = this.promptAtStart;
    if (
      prompt.trim() &&
      analysis.commands.some(c => isInteractiveProgram(c.name))
    ) {
      this.program = { prompt };
    }
  }

  /** Ctrl-C instead of the submitting key: the shell drops the line (and any lines it collected). */
  private refuse(text: string, verdict: Verdict, uncertain: boolean): false {
    this.host.write('\x03');
    this.tracker.reset();
    this.pending = '';
    this.pendingUncertain = false;
    const why = verdict.rule
      ? `Command refused by rule "${verdict.rule.name}"`
      : `Command refused: ${verdict.detail}`;
    this.host.say(`\r\n${RED}[opsdeck] ${why}: ${text}${RESET}\r\n`, true);
    this.host.record({
      command: text,
      action: 'rejected',
      rule: verdict.rule,
      detail: verdict.detail,
      uncertain,
    });
    return false;
  }

  /** A line typed inside a program (or at a password prompt): stored as keystrokes. */
  private submitKeystrokes(
    key: string,
    line: LineEvent,
    analysis: LineAnalysis,
    secret: boolean,
  ): boolean {
    // still judged: what the grammar reads of it must pass the rules (a shell started from
    // the program reads it as a command); only lines it cannot read are not refused
    // (of a line the grammar cannot read, only the commands: its error recovery makes up
    // constructs such as a `*` command)
    const verdict = judge(this.rules(), {
      status: 'ok',
      commands: analysis.commands,
      constructs: analysis.status === 'ok' ? analysis.constructs : [],
    });
    if (verdict.action === 'reject' || verdict.action === 'review') {
      return this.refuse(
        secret ? '[typed at a password prompt]' : line.command,
        { ...verdict, action: 'reject' },
        line.uncertain,
      );
    }
    this.pending = '';
    this.host.write(key);
    this.host.record({
      command: secret ? '[typed at a password prompt]' : printable(line.keys),
      action: 'keystrokes',
      uncertain: false,
    });
    return true;
  }

  private awaitReview(
    key: string,
    text: string,
    verdict: Verdict,
    analysis: LineAnalysis,
    uncertain: boolean,
  ) {
    this.held = [];
    this.reviewAbort = new AbortController();
    this.host.say(
      `\r\n${YELLOW}[opsdeck] Waiting for approval (rule "${verdict.rule?.name}"): ${text} — Ctrl-C withdraws${RESET}\r\n`,
    );
    const finish = (outcome: ReviewOutcome) => {
      const held = (this.held ?? []).join('');
      this.held = undefined;
      this.reviewAbort = undefined;
      if (outcome.approved) {
        this.host.say(
          `${YELLOW}[opsdeck] Approved by ${outcome.by}${RESET}\r\n`,
        );
        this.run(key, text, verdict, analysis, uncertain, outcome.by);
      } else {
        this.host.write('\x03');
        this.tracker.reset();
        this.host.say(
          `${RED}[opsdeck] Not run: ${outcome.reason}${RESET}\r\n`,
          true,
        );
        this.host.record({
          command: text,
          action: 'denied',
          rule: verdict.rule,
          detail: outcome.reason,
          reviewedBy: outcome.by,
          uncertain,
        });
      }
      // keys typed while waiting (less the Ctrl-C that withdrew the request), read afresh
      this.tracker.reset();
      const rest = outcome.approved ? held : held.replace('\x03', '');
      if (rest) this.input(rest);
    };
    this.host
      .review(text, verdict, this.reviewAbort.signal)
      .then(finish, e =>
        finish({ approved: false, reason: `review failed: ${e}` }),
      );
  }

  /** Withdraws a pending review (the session ends). */
  close() {
    this.reviewAbort?.abort();
  }
}
