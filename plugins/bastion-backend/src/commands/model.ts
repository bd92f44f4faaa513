/** What the bastion finds in a submitted command line (see analyse.ts, judge.ts). */

/**
 * Code whose effect the bastion cannot see from the line itself; rules of kind `construct`
 * match these by name (`^interpreter-stdin`), followed by a space and the command around it.
 */
export type ConstructKind =
  /** A shell or interpreter reading its program from a pipe, heredoc or here-string (`| sh`). */
  | 'interpreter-stdin'
  /** Code of another language given inline (`python -c`, `perl -e`, awk with system()). */
  | 'interpreter-code'
  /** Decoded data piped on (`base64 -d |`, `xxd -r |`). */
  | 'decode-pipe'
  /** `eval` of text only known when it runs (`eval "$x"`). */
  | 'eval'
  /** A command whose name is only known when it runs (`$x`, `$(…)`, a glob, brace expansion). */
  | 'dynamic-command'
  /** A heredoc (`<<EOF`): its body is data for the command. */
  | 'heredoc'
  /** A here-string (`<<< "…"`). */
  | 'herestring'
  /** A function that calls itself (the fork-bomb shape `:(){ :|:& };:`). */
  | 'recursive-function'
  /** `fc` (edits a command in an editor and runs the result). */
  | 'history-edit'
  /** The line was completed (Tab) or recalled (history older than the session) on the host. */
  | 'host-edited';

/** One command found in the line, with quotes and escapes removed and paths normalised. */
export type FoundCommand = {
  /** Program name (basename of a normalised path: `/usr/bin/../bin/rm` → `rm`). */
  name: string;
  /** Arguments as the program receives them (static parts; `$x` stays as written). */
  args: string[];
  /** Redirections (`>/dev/sda`, `2>>log`). */
  redirects: string[];
  /**
   * Canonical text rules of kind `command` match: name, arguments (quoted where needed) and
   * redirections, separated by single spaces.
   */
  text: string;
};

export type FoundConstruct = {
  kind: ConstructKind;
  /** The command or text around it (`sh`, `eval $x`). */
  text: string;
};

/** The result of reading a line with the shell grammar. */
export type LineAnalysis =
  | {
      status: 'ok';
      commands: FoundCommand[];
      constructs: FoundConstruct[];
    }
  | {
      /** The shell asks for more (open quote, trailing `\` or `|`, unfinished if/heredoc). */
      status: 'incomplete';
      /** What could be read so far (commands in finished parts). */
      commands: FoundCommand[];
      constructs: FoundConstruct[];
    }
  | {
      /** Not a valid command line for the grammar: refused. */
      status: 'unparseable' | 'history';
      reason: string;
      commands: FoundCommand[];
      constructs: FoundConstruct[];
    };
