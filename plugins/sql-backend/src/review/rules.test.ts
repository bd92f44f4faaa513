import { parseRuleOverrides, resolveRules, RULES } from './rules';

describe('review rule configuration', () => {
  it('parses levels and options from the annotation syntax', () => {
    const overrides = parseRuleOverrides(
      'select-star=error, column-without-comment=warning,\n dml-max-rows.maxRows=500',
    );
    const rules = resolveRules(overrides);
    expect(rules.get('select-star')!.level).toBe('error');
    expect(rules.get('column-without-comment')!.level).toBe('warning');
    expect(rules.get('dml-max-rows')!.options.maxRows).toBe(500);
    expect(rules.get('dml-without-where')!.level).toBe('error');
  });

  it('refuses unknown rules, levels and options', () => {
    expect(() => parseRuleOverrides('no-such-rule=error')).toThrow(
      /Unknown review rule/,
    );
    expect(() => parseRuleOverrides('select-star=fatal')).toThrow(
      /must be error, warning or off/,
    );
    expect(() => parseRuleOverrides('select-star.maxRows=3')).toThrow(
      /has no option/,
    );
    expect(() => parseRuleOverrides('dml-max-rows.maxRows=many')).toThrow(
      /must be a number/,
    );
  });

  it('documents every rule', () => {
    for (const rule of RULES) {
      expect(rule.description.length).toBeGreaterThan(40);
      expect(rule.title).not.toBe('');
    }
    expect(new Set(RULES.map(r => r.id)).size).toBe(RULES.length);
  });
});
