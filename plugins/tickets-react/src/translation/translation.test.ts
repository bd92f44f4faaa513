import zhCN from './zhCN';
import { ticketsReactTranslationRef } from './translation';

describe('tickets-react translations', () => {
  it('has a zh-CN text for every English message, with the same placeholders', () => {
    const english = (
      ticketsReactTranslationRef as any
    ).getDefaultMessages() as Record<string, string>;
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(english)) {
      const vars = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
      expect([key, vars((zhCN as Record<string, string>)[key])]).toEqual([
        key,
        vars(text),
      ]);
    }
  });
});
