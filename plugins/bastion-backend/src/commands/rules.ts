import type { CommandRule } from '../database/BastionStore';
import { selectorMatches } from '../grants/matchGrant';
import type { BastionHost } from '../session/hosts';

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
  const { environment, ...selector } = rule.scope;
  if (environment && environment !== host.environment) return false;
  if (!selector.host && !selector.system && !selector.owner && !selector.tag) {
    return true;
  }
  return selectorMatches(selector, host);
}

/** The rules that apply on a host, in evaluation order, with their compiled patterns. */
export function compileRules(
  rules: CommandRule[],
  host: BastionHost,
): Array<{ rule: CommandRule; re: RegExp }> {
  return rules
    .filter(r => ruleInScope(r, host) && !patternProblem(r.pattern))
    .sort((a, b) => a.priority - b.priority)
    .map(rule => ({ rule, re: new RegExp(rule.pattern) }));
}

/**
 * The first rule (lowest priority number) whose pattern matches the command decides;
 * no match means the command runs.
 */
export function evaluateCommand(
  compiled: Array<{ rule: CommandRule; re: RegExp }>,
  command: string,
): CommandRule | undefined {
  return compiled.find(c => c.re.test(command))?.rule;
}
