/**
 * Notices about a line the gate stopped with Ctrl-C ("Command refused…", "Not run…"). Shown at
 * once they can land before output the host still owes for keys typed earlier: a program that
 * then switches to the alternate screen hides them, and the user sees a dropped line with no
 * reason. So they wait for the host's answer to the Ctrl-C: the line break after its `^C`
 * echo, where they go in before the new prompt. A host that echoes no `^C` (a program owning
 * the terminal) gets them after `waitMs`.
 */
export class HeldNotices {
  private held = '';
  /** Whether the host's `^C` has been seen since the notice was held. */
  private interrupted = false;
  /** The last character of the previous output (a `^C` split between two chunks). */
  private tail = '';
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly say: (text: string) => void,
    private readonly waitMs = 3000,
  ) {}

  /** Holds `text` until the host answers the Ctrl-C just sent. */
  hold(text: string) {
    this.held += text;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.waitMs);
      this.timer.unref?.();
    }
  }

  /** The host's output as it is shown: a held notice goes in after the `^C` line's break. */
  weave(output: string): string {
    if (!this.held || !output) return output;
    let from = 0;
    if (!this.interrupted) {
      const before = this.tail;
      const at = (before + output).indexOf('^C');
      this.tail = output.slice(-1);
      if (at < 0) return output;
      this.interrupted = true;
      from = at + 2 - before.length;
    }
    const nl = output.indexOf('\n', from);
    if (nl < 0) return output;
    // the cursor is at the start of a line: the notice's own leading line break is not needed
    const notice = this.held.replace(/^\r?\n/, '');
    this.reset();
    return output.slice(0, nl + 1) + notice + output.slice(nl + 1);
  }

  /** Shows what is held now (the wait ran out, or the session ends). */
  flush() {
    const text = this.held;
    this.reset();
    if (text) this.say(text);
  }

  private reset() {
    this.held = '';
    this.interrupted = false;
    this.tail = '';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
