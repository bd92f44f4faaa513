/**
 * What bash does to a command line before its grammar sees it, and what tells an unfinished
 * line from a wrong one: quoting state, line continuations, history expansion.
 */

export type QuoteScan = {
  /** The line ends inside '…', "…", `…` or $'…'. */
  unterminated: boolean;
  /** The line ends with a backslash outside quotes (bash asks for the next line). */
  continued: boolean;
  /** Where bash would expand history (`!!`, `!-1`, `!rm`, `!$`, `^a^b`): the offending text. */
  history?: string;
};

const HISTORY_SAFE_NEXT = new Set([' ', '\t', '\n', '=', '(', undefined]);

/**
 * Scans a command line as bash's reader does: quotes, backslash escapes, comments. Reports an
 * unfinished quote or a trailing backslash (the shell asks for more), and history expansion
 * (bash's `!` and a leading `^`, which interactive shells expand from their own history).
 */
export function scanQuotes(text: string): QuoteScan {
  type Mode = 'plain' | 'single' | 'double' | 'backtick' | 'ansi';
  const stack: Mode[] = ['plain'];
  const mode = () => stack[stack.length - 1];
  let history: string | undefined;
  const firstLine = text.replace(/^\s+/, '');
  if (firstLine.startsWith('^')) history = firstLine.split('\n')[0];
  let wordStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const m = mode();
    if (m === 'single') {
      if (c === "'") stack.pop();
      continue;
    }
    if (m === 'ansi') {
      if (c === '\\') i++;
      else if (c === "'") stack.pop();
      continue;
    }
    if (c === '\\') {
      if (i === text.length - 1) {
        return {
          unterminated: m !== 'plain',
          continued: m === 'plain',
          history,
        };
      }
      i++;
      wordStart = false;
      continue;
    }
    if (c === '!' && history === undefined) {
      const next = text[i + 1];
      const prev = text[i - 1];
      const inhibited =
        HISTORY_SAFE_NEXT.has(next) ||
        (m === 'double' && next === '"') ||
        prev === '$' ||
        (prev === '{' && text[i - 2] === '$') ||
        prev === '[';
      if (!inhibited) history = text.slice(i, i + 12).split(/\s/)[0];
    }
    if (m === 'double') {
      if (c === '"') stack.pop();
      else if (c === '`') stack.push('backtick');
      continue;
    }
    // plain or inside backticks
    if (m === 'backtick' && c === '`') {
      stack.pop();
      continue;
    }
    if (c === '#' && wordStart) {
      // a comment: nothing up to the end of the line counts
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      wordStart = true;
      continue;
    }
    if (c === "'") {
      stack.push(text[i - 1] === '$' ? 'ansi' : 'single');
    } else if (c === '"') {
      stack.push('double');
    } else if (c === '`') {
      stack.push('backtick');
    }
    wordStart = /[\s;&|()<>]/.test(c);
  }
  return { unterminated: stack.length > 1, continued: false, history };
}

/**
 * Joins continued lines as bash does: a backslash-newline outside single quotes disappears
 * (`r\<newline>m` is `rm`).
 */
export function joinContinuations(text: string): string {
  let out = '';
  let single = false;
  let ansi = false;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (single) {
      if (c === "'") single = false;
      out += c;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    if (c === '\\') {
      out += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ansi) {
      if (c === "'") ansi = false;
    } else if (c === '"') {
      double = !double;
    } else if (c === "'" && !double) {
      if (text[i - 1] === '$') ansi = true;
      else single = true;
    }
    out += c;
  }
  return out;
}

/** Decodes the body of a `$'…'` string (bash's ANSI-C quoting). */
export function decodeAnsiC(body: string): string {
  const simple: Record<string, string> = {
    a: '\x07',
    b: '\b',
    e: '\x1b',
    E: '\x1b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '?': '?',
  };
  return body.replace(
    /\\(?:([abeEfnrtv\\'"?])|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|([0-7]{1,3})|c(.))/g,
    (_m, s, x, u, U, o, ctl) => {
      if (s) return simple[s];
      if (x) return String.fromCharCode(parseInt(x, 16));
      if (u || U) return String.fromCodePoint(parseInt(u ?? U, 16));
      if (o) return String.fromCharCode(parseInt(o, 8) & 0xff);
      return String.fromCharCode(ctl.toUpperCase().charCodeAt(0) ^ 0x40);
    },
  );
}

/** Removes backslash escapes from an unquoted word (`\r\m` is `rm`). */
export function unescapeWord(text: string): string {
  return text.replace(/\\\n/g, '').replace(/\\(.)/gs, '$1');
}

/** Removes the escapes that keep their meaning inside double quotes. */
export function unescapeDouble(text: string): string {
  return text.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1');
}

/**
 * Bash's brace expansion of one unquoted word (`/{usr,etc}` is `/usr /etc`), for comma lists
 * and ranges; undefined when there is none. Stops at 64 words.
 */
export function expandBraces(word: string): string[] | undefined {
  const m = /^(.*?)\{([^{}]*)\}(.*)$/s.exec(word);
  if (!m) return undefined;
  const [, pre, body, post] = m;
  let items: string[];
  const range = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])$/.exec(body);
  if (body.includes(',')) {
    items = body.split(',');
  } else if (range) {
    const num = /\d/.test(range[1]);
    const from = num ? Number(range[1]) : range[1].charCodeAt(0);
    const to = num ? Number(range[2]) : range[2].charCodeAt(0);
    items = [];
    const step = from <= to ? 1 : -1;
    for (let v = from; items.length < 64; v += step) {
      items.push(num ? String(v) : String.fromCharCode(v));
      if (v === to) break;
    }
  } else {
    return undefined;
  }
  const out: string[] = [];
  for (const item of items) {
    const word2 = `${pre}${item}${post}`;
    out.push(...(expandBraces(word2) ?? [word2]));
    if (out.length >= 64) break;
  }
  // bash drops words that brace expansion left empty
  return out.filter(w => w !== '').slice(0, 64);
}
