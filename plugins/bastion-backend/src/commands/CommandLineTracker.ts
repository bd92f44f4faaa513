/**
 * Follows what the user types at a shell prompt and tells, at each key that submits a line
 * (Enter, Ctrl-J, Ctrl-M, Ctrl-O, a line break in a paste), which text the shell is about to
 * read. It models readline's emacs editing keys (motion, kill and yank, transpose, history of
 * this session); keys whose effect only the host knows (Tab completion, history from before the
 * session, undo, unmodelled keys) make the line `uncertain`. Keys that let readline run text
 * the bastion never sees (Ctrl-X Ctrl-E: edit-and-execute) are blocked. See docs/bastion.md.
 */

export type LineEvent = {
  /** The line as far as the input stream shows it. */
  command: string;
  /** True when keys were used whose effect only the host knows (Tab, history before the session). */
  uncertain: boolean;
  /** The keys typed for this line, as typed (for the keystroke record of full-screen input). */
  keys: string;
};

/** One piece of input: bytes to pass through, a key that submits a line, or a blocked key. */
export type InputPiece =
  | { kind: 'text'; data: string }
  | { kind: 'enter'; data: string; line: LineEvent }
  | { kind: 'blocked'; data: string; reason: string };

const ESC = '\x1b';
const MAX_KEYS = 4096;

export class CommandLineTracker {
  private line: string[] = [];
  private cursor = 0;
  private uncertain = false;
  private keys = '';
  /** Commands of this session, for history recall (↑/↓, Ctrl-P/N, Ctrl-O). */
  private readonly history: string[] = [];
  private historyIndex = 0;
  /** Readline's kill ring (Ctrl-U/K/W, Alt-D): Ctrl-Y yanks the last kill. */
  private killed = '';
  private pendingEscape = '';
  private pendingCtrlX = false;
  private quotedInsert = false;

  /** True when the line so far is empty (nothing typed since the last submit). */
  get empty(): boolean {
    return this.line.length === 0 && this.keys === '';
  }

  /** Splits input into pass-through text, submitting keys with their line, and blocked keys. */
  feed(data: string): InputPiece[] {
    const pieces: InputPiece[] = [];
    let text = '';
    const flush = () => {
      if (text) pieces.push({ kind: 'text', data: text });
      text = '';
    };
    const input = this.pendingEscape + data;
    this.pendingEscape = '';
    for (let i = 0; i < input.length; i++) {
      const ch = input[i];
      if (this.quotedInsert) {
        // Ctrl-V: the next key goes into the line as it is (a literal control character)
        this.quotedInsert = false;
        this.uncertain = true;
        this.insert(ch);
        text += ch;
        continue;
      }
      if (this.pendingCtrlX) {
        this.pendingCtrlX = false;
        if (ch === '\x05' || ch === '\x1a') {
          flush();
          pieces.push({
            kind: 'blocked',
            data: `\x18${ch}`,
            reason:
              'Ctrl-X Ctrl-E (edit and run in an editor) is not allowed in the bastion: edit the line at the prompt',
          });
          continue;
        }
        this.uncertain = true; // other Ctrl-X bindings (undo, macros) change the line unseen
        text += ch;
        this.keys += ch;
        continue;
      }
      if (ch === ESC) {
        const seq = this.readEscape(input, i);
        if (seq === undefined) {
          // an escape sequence split across chunks: keep it for the next one
          this.pendingEscape = input.slice(i);
          break;
        }
        i += seq.length - 1;
        if (seq === '\x1b#') {
          // insert-comment: readline comments the line out and submits it
          this.line.unshift('#');
          flush();
          pieces.push({ kind: 'enter', data: seq, line: this.submit(seq) });
          continue;
        }
        text += seq;
        this.keys += seq;
        this.applyEscape(seq);
        continue;
      }
      if (ch === '\r' || ch === '\n' || ch === '\x0f') {
        // every key that submits a line, in a paste too: a host without bracketed paste runs
        // each pasted line as it arrives, so each one is judged as it would run
        flush();
        const recalled = this.historyIndex;
        const line = this.submit(ch);
        pieces.push({ kind: 'enter', data: ch, line });
        if (ch === '\x0f') this.operateAndGetNext(recalled);
        continue;
      }
      text += ch;
      this.keys += ch;
      this.applyKey(ch);
    }
    flush();
    if (this.keys.length > MAX_KEYS) this.keys = this.keys.slice(-MAX_KEYS);
    return pieces;
  }

  /** Forgets the current line (after a refused command, Ctrl-C, a program that ended). */
  reset() {
    this.line = [];
    this.cursor = 0;
    this.uncertain = false;
    this.keys = '';
    this.historyIndex = this.history.length;
  }

  /** Lines of `history` whose text only the host knows exactly. */
  private readonly uncertainHistory = new Set<number>();

  /** Records a line the shell ran (for recall with ↑ and Ctrl-P). */
  remember(command: string, uncertain = false) {
    if (command) {
      if (uncertain) this.uncertainHistory.add(this.history.length);
      this.history.push(command);
    }
    this.historyIndex = this.history.length;
  }

  private submit(key: string): LineEvent {
    const command = this.line.join('');
    const event = { command, uncertain: this.uncertain, keys: this.keys + key };
    this.line = [];
    this.cursor = 0;
    this.uncertain = false;
    this.keys = '';
    return event;
  }

  /** Ctrl-O: readline runs the line and loads the history line after it. */
  private operateAndGetNext(recalled: number) {
    if (recalled < 0) {
      this.uncertain = true;
      return;
    }
    const next = this.history[recalled + 1];
    if (recalled < this.history.length && next !== undefined) {
      this.historyIndex = recalled + 1;
      this.line = [...next];
      this.cursor = this.line.length;
    }
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

  private insert(ch: string) {
    this.line.splice(this.cursor, 0, ch);
    this.cursor++;
  }

  private kill(from: number, to: number) {
    this.killed = this.line.slice(from, to).join('');
    this.line.splice(from, to - from);
    this.cursor = from;
  }

  private wordStart(): number {
    let start = this.cursor;
    while (start > 0 && !/\w/.test(this.line[start - 1])) start--;
    while (start > 0 && /\w/.test(this.line[start - 1])) start--;
    return start;
  }

  private wordEnd(): number {
    let end = this.cursor;
    while (end < this.line.length && !/\w/.test(this.line[end])) end++;
    while (end < this.line.length && /\w/.test(this.line[end])) end++;
    return end;
  }

  private applyEscape(seq: string) {
    switch (seq) {
      case '\x1b[200~': // bracketed paste start and end: lines in it submit as typed ones
      case '\x1b[201~':
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
      case '\x1bb':
        this.cursor = this.wordStart();
        return;
      case '\x1bf':
        this.cursor = this.wordEnd();
        return;
      case '\x1bd':
        this.kill(this.cursor, this.wordEnd());
        return;
      case '\x1b\x7f':
      case '\x1b\b':
        this.kill(this.wordStart(), this.cursor);
        return;
      default:
        // other keys (function keys, Alt+. yank-last-arg, Alt+y, Alt+u…) may change the line
        // in ways not modelled here: only the host knows the result
        // eslint-disable-next-line no-control-regex
        if (!/^\x1b\[\d*(;\d+)?[~A-Z]$/.test(seq) || seq.length === 2) {
          this.uncertain = true;
        }
    }
  }

  private recall(step: number) {
    const target = this.historyIndex + step;
    if (target < 0) {
      // history from before this session: only the host knows it
      this.historyIndex = -1;
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
    if (this.uncertainHistory.has(target)) this.uncertain = true;
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
      case '\x04': // Ctrl-D: delete the character under the cursor (EOF on an empty line)
        this.line.splice(this.cursor, 1);
        return;
      case '\x15': // Ctrl-U: kill to the start
        this.kill(0, this.cursor);
        return;
      case '\x0b': // Ctrl-K: kill to the end
        this.kill(this.cursor, this.line.length);
        return;
      case '\x17': {
        // Ctrl-W: kill the previous whitespace-delimited word
        let start = this.cursor;
        while (start > 0 && /\s/.test(this.line[start - 1])) start--;
        while (start > 0 && !/\s/.test(this.line[start - 1])) start--;
        this.kill(start, this.cursor);
        return;
      }
      case '\x19': // Ctrl-Y: yank the last kill
        for (const c of this.killed) this.insert(c);
        return;
      case '\x14': {
        // Ctrl-T: transpose the characters before the cursor
        const at =
          this.cursor === this.line.length ? this.cursor - 1 : this.cursor;
        if (at > 0) {
          [this.line[at - 1], this.line[at]] = [
            this.line[at],
            this.line[at - 1],
          ];
          this.cursor = Math.min(this.line.length, at + 1);
        }
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
      case '\x10': // Ctrl-P: previous history line
        this.recall(-1);
        return;
      case '\x0e': // Ctrl-N: next history line
        this.recall(1);
        return;
      case '\x03': // Ctrl-C: the shell drops the line
        this.reset();
        return;
      case '\x16': // Ctrl-V: quoted insert
        this.quotedInsert = true;
        return;
      case '\x18': // Ctrl-X: a prefix
        this.pendingCtrlX = true;
        return;
      case '\x07': // bell, clear screen, suspend, flow control: no change to the line
      case '\x0c':
      case '\x1a':
      case '\x1c':
      case '\x11':
      case '\x13':
        return;
      default:
        if (ch.charCodeAt(0) < 0x20) {
          // Tab (completion), Ctrl-R (history search), Ctrl-_ (undo)…: the host decides
          this.uncertain = true;
          return;
        }
        this.insert(ch);
    }
  }
}
