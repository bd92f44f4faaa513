import { monitoringTranslationRef } from './translation';
import zhCN from './zhCN';

/** Every English message, flattened to the dotted keys the zh-CN file uses. */
function englishKeys(): string[] {
  const messages = (
    monitoringTranslationRef as any
  ).getDefaultMessages() as Record<string, string>;
  return Object.keys(messages).sort();
}

describe('monitoring translations', () => {
  it('zh-CN translates every message and keeps the placeholders', () => {
    const messages = (
      monitoringTranslationRef as any
    ).getDefaultMessages() as Record<string, string>;
    expect(Object.keys(zhCN).sort()).toEqual(englishKeys());
    for (const [key, english] of Object.entries(messages)) {
      const placeholders = (text: string) =>
        (text.match(/{{\w+}}/g) ?? []).sort();
      expect([
        key,
        placeholders((zhCN as Record<string, string>)[key]),
      ]).toEqual([key, placeholders(english)]);
    }
  });
});
