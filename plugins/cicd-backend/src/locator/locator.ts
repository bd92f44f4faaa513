import type {
  BuildStage,
  CauseDefinition,
  LocateResult,
  LocatedCause,
} from '@opsdeck/plugin-cicd-common';
import type { RE2 } from 're2-wasm';
import { stagesOfLines, stripControl } from './consoleLog';
import { compileRe2 } from './re2';

/** Lines longer than this are matched on their first this-many characters. */
const MAX_LINE = 4096;
/** Lines per block for the prefilter. */
const BLOCK_LINES = 512;
/** Candidate lines evaluated per cause at most (head and tail kept). */
const MAX_CANDIDATES_HEAD = 1000;
const MAX_CANDIDATES_TAIL = 4000;
const MAX_LINES_PER_CAUSE = 50;
const MAX_TESTS = 20;
/** Bonus for a cause whose lines are in the failing stage. */
const STAGE_BONUS = 10;
/** Bonus for a completed multi-line indication. */
const INDICATION_BONUS = 5;

/** Blocks scanned between two yields to the event loop (locateAsync). */
const YIELD_EVERY = 8;

export interface LocateOptions {
  /** Stages from wfapi; its FAILED stage is the failing stage. */
  stages?: BuildStage[];
  /** Number of the text's first line in the whole log. */
  firstLine?: number;
  truncated?: boolean;
}

/** Lines without control sequences, each cut to MAX_LINE characters. */
function prepareLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = stripControl(lines[i]);
    lines[i] = l.length > MAX_LINE ? l.slice(0, MAX_LINE) : l;
  }
  return lines;
}

/** At most the first and last candidates (head and tail kept). */
function boundCandidates(out: number[]): number[] {
  if (out.length <= MAX_CANDIDATES_HEAD + MAX_CANDIDATES_TAIL) return out;
  return [
    ...out.slice(0, MAX_CANDIDATES_HEAD),
    ...out.slice(out.length - MAX_CANDIDATES_TAIL),
  ];
}

interface CompiledCause {
  def: CauseDefinition;
  any: RE2;
  patterns: RE2[];
  indications: { first: RE2; then: RE2; within: number }[];
  testName?: RE2;
}

function alternation(patterns: string[]): string {
  return patterns.map(p => `(?:${p})`).join('|');
}

function patternsOf(def: CauseDefinition): string[] {
  return [
    ...def.patterns,
    ...(def.indications ?? []).flatMap(i => [i.first, i.then]),
    ...(def.testName ? [def.testName] : []),
  ];
}

/**
 * The locator's ranking: higher score first, then the cause whose last line
 * is later in the log (nearer the failure).
 */
export function compareLocated(a: LocatedCause, b: LocatedCause): number {
  return (
    b.score - a.score ||
    b.lines[b.lines.length - 1] - a.lines[a.lines.length - 1]
  );
}

/** Checks a cause definition compiles with RE2; throws InvalidPatternError if not. */
export function validateCause(def: CauseDefinition): void {
  for (const p of patternsOf(def)) compileRe2(p);
}

/**
 * The failure locator: the knowledge base compiled once with RE2, then run
 * over console logs. A block of lines is first tested against one
 * alternation of every pattern; only lines of matching blocks are tested line
 * by line and cause by cause. Every step is linear in the log's length.
 */
export class FailureLocator {
  private readonly causes: CompiledCause[];
  private readonly prefilter: RE2;

  constructor(definitions: CauseDefinition[]) {
    this.causes = definitions.map(def => ({
      def,
      any: compileRe2(alternation(patternsOf(def)), 'm', Infinity),
      patterns: def.patterns.map(p => compileRe2(p)),
      indications: (def.indications ?? []).map(i => ({
        first: compileRe2(i.first),
        then: compileRe2(i.then),
        within: Math.max(1, Math.min(500, i.within)),
      })),
      testName: def.testName ? compileRe2(def.testName) : undefined,
    }));
    this.prefilter = compileRe2(
      alternation(definitions.flatMap(patternsOf)),
      'm',
      Infinity,
    );
  }

  /**
   * Locates the causes of a failure in `text` (a console log, possibly its
   * tail: `firstLine` is the number of its first line in the whole log).
   */
  locate(text: string, options: LocateOptions = {}): LocateResult {
    const lines = prepareLines(text);
    const out: number[] = [];
    for (let start = 0; start < lines.length; start += BLOCK_LINES) {
      this.scanBlock(lines, start, out);
    }
    return this.rank(lines, boundCandidates(out), options);
  }

  /**
   * As {@link FailureLocator.locate}, yielding to the event loop between
   * blocks so that a long log does not hold up the backend's other requests.
   */
  async locateAsync(
    text: string,
    options: LocateOptions = {},
  ): Promise<LocateResult> {
    const lines = prepareLines(text);
    const out: number[] = [];
    for (
      let start = 0, n = 0;
      start < lines.length;
      start += BLOCK_LINES, n++
    ) {
      if (n % YIELD_EVERY === YIELD_EVERY - 1) {
        await new Promise(resolve => setImmediate(resolve));
      }
      this.scanBlock(lines, start, out);
    }
    return this.rank(lines, boundCandidates(out), options);
  }

  private rank(
    lines: string[],
    candidates: number[],
    options: LocateOptions,
  ): LocateResult {
    const firstLine = options.firstLine ?? 1;
    const { stageOf, failingStage: consoleStage } = stagesOfLines(lines);
    const failedFromApi = options.stages?.find(
      s => s.status === 'FAILED' || s.status === 'ABORTED',
    )?.name;
    const failingStage = failedFromApi ?? consoleStage;

    const located: LocatedCause[] = [];
    for (const cause of this.causes) {
      const found = this.evaluate(cause, lines, candidates);
      if (!found) continue;
      const stage = stageOf(found.lines[found.lines.length - 1]);
      let score = cause.def.weight;
      if (failingStage && found.lines.some(i => stageOf(i) === failingStage)) {
        score += STAGE_BONUS;
      }
      if (found.indicated) score += INDICATION_BONUS;
      located.push({
        id: cause.def.id,
        category: cause.def.category,
        title: cause.def.title,
        runbook: cause.def.runbook,
        score,
        lines: found.lines
          .slice(0, MAX_LINES_PER_CAUSE)
          .map(i => i + firstLine),
        tests: found.tests,
        stage,
      });
    }
    located.sort(compareLocated);
    return {
      causes: located,
      failingStage,
      firstLine,
      linesScanned: lines.length,
      truncated: options.truncated ?? false,
    };
  }

  /** Adds the indices of the block's lines that match any pattern. */
  private scanBlock(lines: string[], start: number, out: number[]): void {
    const end = Math.min(lines.length, start + BLOCK_LINES);
    const block = lines.slice(start, end).join('\n');
    if (!this.prefilter.test(block)) return;
    for (let i = start; i < end; i++) {
      if (lines[i] && this.prefilter.test(lines[i])) out.push(i);
    }
  }

  private evaluate(
    cause: CompiledCause,
    lines: string[],
    candidates: number[],
  ): { lines: number[]; tests: string[]; indicated: boolean } | undefined {
    const hits = candidates.filter(i => cause.any.test(lines[i]));
    if (!hits.length) return undefined;
    const matched = new Set<number>();
    const tests: string[] = [];
    let indicated = false;
    for (const i of hits) {
      const line = lines[i];
      if (cause.patterns.some(p => p.test(line))) matched.add(i);
      if (cause.testName && tests.length < MAX_TESTS) {
        const m = cause.testName.exec(line);
        const name = m?.[1]?.trim();
        if (name) {
          matched.add(i);
          if (!tests.includes(name)) tests.push(name);
        }
      }
    }
    for (const ind of cause.indications) {
      let open: number | undefined;
      for (const i of hits) {
        if (open !== undefined && i - open > ind.within) open = undefined;
        if (open !== undefined && ind.then.test(lines[i])) {
          matched.add(open);
          matched.add(i);
          indicated = true;
          open = undefined;
        } else if (ind.first.test(lines[i])) {
          open = i;
        }
      }
    }
    if (!matched.size) return undefined;
    return { lines: [...matched].sort((a, b) => a - b), tests, indicated };
  }
}
