import { hasHostCriteria } from '@opsdeck/plugin-cmdb-common';
import {
  toHostSelector,
  type CommandRule,
  type RuleAction,
} from '../database/BastionStore';
import { grantSelectorMatches } from '../grants/matchGrant';
import type { BastionHost } from '../session/hosts';
import type { LineAnalysis } from './model';

/** Why a rule pattern cannot be used, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  try {
    // eslint-disable-next-line no-new
    new RegExp(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** True when the rule applies on this host (an empty scope applies everywhere). */
export function ruleInScope(rule: CommandRule, host: BastionHost): boolean {
  if (!hasHostCriteria(toHostSelector(rule.scope))) return true;
  return grantSelectorMatches(rule.scope, host);
}

export type CompiledRule = { rule: CommandRule; re: RegExp };

/** The rules that apply on a host, in evaluation order, with their compiled patterns. */
export function compileRules(
  rules: CommandRule[],
  host: BastionHost,
): CompiledRule[] {
  return rules
    .filter(r => ruleInScope(r, host) && !patternProblem(r.pattern))
    .sort((a, b) => a.priority - b.priority)
    .map(rule => ({ rule, re: new RegExp(rule.pattern) }));
}

/** What happens to a submitted line. */
export type Verdict = {
  action: 'run' | 'alert' | 'review' | 'reject';
  rule?: CommandRule;
  /** The command or construct that decided (`rm -rf /`, `interpreter-stdin sh`), or why. */
  detail?: string;
};

const SEVERITY: Record<Verdict['action'], number> = {
  run: 0,
  alert: 1,
  review: 2,
  reject: 3,
};

const verdictOf = (action: RuleAction): Verdict['action'] =>
  action === 'allow' ? 'run' : action;

/**
 * Judges what a line runs: for each command (and each construct), the first rule of that kind
 * (lowest priority number) whose pattern matches decides; the line gets the most severe result
 * (reject, then review, then alert). A line the grammar cannot read, or one using history
 * expansion, is rejected without a rule. `hostEdited`: keys were used whose effect only the
 * host knows (Tab completion, history from before the session); judged as the construct
 * `host-edited` besides what is known of the line.
 */
export function judge(
  compiled: CompiledRule[],
  analysis: LineAnalysis,
  options: { hostEdited?: string } = {},
): Verdict {
  if (analysis.status === 'unparseable' || analysis.status === 'history') {
    return { action: 'reject', detail: analysis.reason };
  }
  const items: JudgedItem[] = [
    ...analysis.commands.map(c => ({ kind: 'command' as const, text: c.text })),
    ...analysis.constructs.map(c => ({
      kind: 'construct' as const,
      text: `${c.kind} ${c.text}`,
    })),
  ];
  if (options.hostEdited !== undefined) {
    items.push({
      kind: 'construct',
      text: `host-edited ${options.hostEdited}`,
    });
  }
  return judgeItems(compiled, items);
}

/** One thing a rule may match: a command, a construct or a file transfer. */
export type JudgedItem = { kind: CommandRule['kind']; text: string };

/** The most severe result of the first matching rule (of the item's kind) for each item. */
export function judgeItems(
  compiled: CompiledRule[],
  items: JudgedItem[],
): Verdict {
  let worst: Verdict = { action: 'run' };
  for (const item of items) {
    const hit = compiled.find(
      c => (c.rule.kind ?? 'command') === item.kind && c.re.test(item.text),
    );
    if (!hit) continue;
    const action = verdictOf(hit.rule.action);
    if (SEVERITY[action] > SEVERITY[worst.action]) {
      worst = { action, rule: hit.rule, detail: item.text };
    }
  }
  return worst;
}
