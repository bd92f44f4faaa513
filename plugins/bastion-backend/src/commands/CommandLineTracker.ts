/**
 * Follows what the user types at a shell prompt and tells, at each Enter, which command line the
 * shell is about to run. It models the common readline/emacs editing keys; what the host alone
 * knows (tab completion, history beyond this session, vi mode, aliases) it cannot see, and then
 * reports the line as `uncertain`. See docs/bastion.md.
 */

export type LineEvent = {
  /** The command line as far as the input stream shows it. */
  command: string;
  /** True when keys were used whose effect only the host knows (Tab, history before the session). */
  uncertain: boolean;
};

/** One piece of input: bytes to pass through, and where an Enter ends a command line. */
export type InputPiece =
  | { kind: 'text'; data: string }
  | { kind: 'enter'; data: string; line: LineEvent };

const ESC = '\x1b';

export class CommandLineTracker {
  private line: string[] = [];
  private cursor = 0;
  private uncertain = false;
  /** Commands of this session, for arrow-key history recall. */
  private readonly history: string[] = [];
  private historyIndex = 0;
  private pendingEscape = '';
  private inPaste = false;
  /** True while a full-screen program (vim, top, less) has the alternate screen. */
  private fullScreen = false;

  /** Watches the host's output for full-screen programs (alternate screen on/off). */
  observeOutput(data: string) {
    // xterm private modes 1049/1047/47 switch to and from the alternate screen
    // eslint-disable-next-line no-control-regex
    const re = /\x1b\[\?(?:1049|1047|47)([hl])/g;
    for (const m of data.matchAll(re)) {
      this.fullScreen = m[1] === 'h';
      if (this.fullScreen) this.reset();
    }
  }

  /** True while a full-screen program runs: keys then are not commands. */
  get inFullScreen(): boolean {
    return this.fullScreen;
  }

  /** Splits input into pass-through text and Enter keys with the line each one submits. */
  feed(data: string): InputPiece[] {
    const pieces: InputPiece[] = [];
    let text = '';
    const input = this.pendingEscape + data;
    this.pendingEscape = '';
    for (let i = 0; i < input.length; i++) {
      const ch = input[i];
      if (ch === ESC) {
        const seq = this.readEscape(input, i);
        if (seq === undefined) {
          // an escape sequence split across chunks: keep it for the next one
          this.pendingEscape = input.slice(i);
          break;
        }
        text += seq;
        i += seq.length - 1;
        this.applyEscape(seq);
        continue;
      }
      if ((ch === '\r' || ch === '\n') && !this.inPaste) {
        if (this.fullScreen) {
          text += ch;
          continue;
        }
        if (text) pieces.push({ kind: 'text', data: text });
        text = '';
        pieces.push({ kind: 'enter', data: ch, line: this.submit() });
        continue;
      }
      text += ch;
      if (!this.fullScreen) this.applyKey(ch);
    }
    if (text) pieces.push({ kind: 'text', data: text });
    return pieces;
  }

  /** Forgets the current line (after a rejected command, Ctrl-C). */
  reset() {
    this.line = [];
    this.cursor = 0;
    this.uncertain = false;
    this.historyIndex = this.history.length;
  }

  private submit(): LineEvent {
    const command = this.line.join('').trim();
    const event = { command, uncertain: this.uncertain };
    if (command) this.history.push(command);
    this.reset();
    return event;
  }

  /** The escape sequence starting at `i`, or undefined when it is not complete yet. */
  private readEscape(input: string, i: number): string | undefined {
    if (i + 1 >= input.length) return undefined;
    const next = input[i + 1];
    if (next === '[' || next === 'O') {
      for (let j = i + 2; j < input.length; j++) {
        const c = input.charCodeAt(j);
        if (c >= 0x40 && c <= 0x7e) return input.slice(i, j + 1);
      }
      return undefined;
    }
    return input.slice(i, i + 2); // Alt+key
  }

  private applyEscape(seq: string) {
    if (this.fullScreen) return;
    switch (seq) {
      case '\x1b[200~':
        this.inPaste = true;
        return;
      case '\x1b[201~':
        this.inPaste = false;
        return;
      case '\x1b[D':
      case '\x1bOD':
        this.cursor = Math.max(0, this.cursor - 1);
        return;
      case '\x1b[C':
      case '\x1bOC':
        this.cursor = Math.min(this.line.length, this.cursor + 1);
        return;
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
        this.cursor = 0;
        return;
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
        this.cursor = this.line.length;
        return;
      case '\x1b[3~':
        this.line.splice(this.cursor, 1);
        return;
      case '\x1b[A':
      case '\x1bOA':
        this.recall(-1);
        return;
      case '\x1b[B':
      case '\x1bOB':
        this.recall(1);
        return;
      default:
        // other keys (function keys, Alt+x word motions) change the line in ways not modelled
        if (seq.length === 2 && /[a-zA-Z]/.test(seq[1])) this.uncertain = true;
    }
  }

  private recall(step: number) {
    const target = this.historyIndex + step;
    if (target < 0) {
      // history from before this session: only the host knows it
      this.uncertain = true;
      return;
    }
    if (target >= this.history.length) {
      this.historyIndex = this.history.length;
      this.line = [];
      this.cursor = 0;
      return;
    }
    this.historyIndex = target;
    this.line = [...this.history[target]];
    this.cursor = this.line.length;
  }

  private applyKey(ch: string) {
    switch (ch) {
      case '\x7f': // Backspace (DEL)
      case '\b':
        if (this.cursor > 0) {
          this.line.splice(this.cursor - 1, 1);
          this.cursor--;
        }
        return;
      case '\x15': // Ctrl-U: kill to the start
        this.line.splice(0, this.cursor);
        this.cursor = 0;
        return;
      case '\x0b': // Ctrl-K: kill to the end
        this.line.splice(this.cursor);
        return;
      case '\x17': {
        // Ctrl-W: kill the previous word
        let start = this.cursor;
        while (start > 0 && this.line[start - 1] === ' ') start--;
        while (start > 0 && this.line[start - 1] !== ' ') start--;
        this.line.splice(start, this.cursor - start);
        this.cursor = start;
        return;
      }
      case '\x01': // Ctrl-A
        this.cursor = 0;
        return;
      case '\x05': // Ctrl-E
        this.cursor = this.line.length;
        return;
      case '\x02': // Ctrl-B
        this.cursor = Math.max(0, this.cursor - 1);
        return;
      case '\x06': // Ctrl-F
        this.cursor = Math.min(this.line.length, this.cursor + 1);
        return;
      case '\x03': // Ctrl-C: the shell drops the line
        this.reset();
        return;
      case '\t':
        this.uncertain = true;
        return;
      default:
        if (this.inPaste && (ch === '\n' || ch === '\r')) {
          // a pasted multi-line block runs as one submission: keep its line breaks
          this.line.splice(this.cursor, 0, '\n');
          this.cursor++;
          return;
        }
        if (ch.charCodeAt(0) < 0x20) return; // other control keys
        this.line.splice(this.cursor, 0, ch);
        this.cursor++;
    }
  }
}
