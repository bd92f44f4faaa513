/**
 * Console-log helpers: remove what Jenkins and tools put in a log that is not
 * text (ANSI colours, hidden console notes), split it into lines, and follow
 * the `[Pipeline] { (Stage)` markers to tell which stage each line is in.
 * Every function is a single linear pass (no regular expression with
 * backtracking runs on log text here).
 */

const ESC = '\u001b';

/** Removes ANSI escape sequences and Jenkins' hidden console notes. */
export function stripControl(line: string): string {
  if (!line.includes(ESC)) {
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ESC && line[i + 1] === '[') {
      // Jenkins ConsoleNote: ESC[8mha:<base64>ESC[0m, hidden.
      if (line.startsWith('8mha:', i + 2)) {
        const end = line.indexOf(`${ESC}[0m`, i + 2);
        i = end < 0 ? line.length : end + 4;
        continue;
      }
      let j = i + 2;
      while (j < line.length && /[0-9;?]/.test(line[j])) j++;
      i = j + 1; // skip the final letter
      continue;
    }
    if (c !== '\r') out += c;
    i++;
  }
  return out;
}

/** The stage of each line from `[Pipeline] { (Name)` markers (undefined outside). */
export function stagesOfLines(lines: string[]): {
  stageOf: (index: number) => string | undefined;
  failingStage: string | undefined;
} {
  const at: (string | undefined)[] = new Array(lines.length);
  const stack: string[] = [];
  let lastOpened: string | undefined;
  const skipped = new Set<string>();
  let pendingStage = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '[Pipeline] stage') {
      pendingStage = true;
    } else if (
      pendingStage &&
      l.startsWith('[Pipeline] { (') &&
      l.endsWith(')')
    ) {
      const name = l.slice('[Pipeline] { ('.length, -1);
      stack.push(name);
      lastOpened = name;
      pendingStage = false;
    } else if (l === '[Pipeline] // stage') {
      stack.pop();
    } else if (l.startsWith('Stage "') && l.includes('" skipped due to')) {
      skipped.add(l.slice(7, l.indexOf('" skipped due to')));
    } else if (l.startsWith('[Pipeline] ')) {
      pendingStage = false;
    }
    at[i] = stack.length ? stack[stack.length - 1] : undefined;
  }
  let failingStage: string | undefined;
  for (let i = lines.length - 1; i >= 0 && !failingStage; i--) {
    const s = at[i];
    if (s && !skipped.has(s)) failingStage = s;
  }
  if (!failingStage)
    failingStage =
      lastOpened && !skipped.has(lastOpened) ? lastOpened : undefined;
  return { stageOf: i => at[i], failingStage };
}
