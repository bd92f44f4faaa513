import { RunStatus } from '../model';
import { dueTrigger, triggerOf } from './webhookTriggers';

describe('webhook triggers', () => {
  it('maps each final run status to one trigger', () => {
    const cases: [RunStatus, string | undefined][] = [
      ['running', undefined],
      ['succeeded', 'success'],
      ['failed', 'failure'],
      ['cancelled', 'cancel'],
      ['interrupted', 'failure'],
    ];
    for (const [status, trigger] of cases) {
      expect(triggerOf(status)).toBe(trigger);
    }
  });

  it('is due only when the run end is ticked', () => {
    const webhook = {
      url: 'https://h.example.com',
      triggers: ['cancel' as const],
    };
    expect(dueTrigger(webhook, 'cancelled')).toBe('cancel');
    expect(dueTrigger(webhook, 'interrupted')).toBeUndefined();
    expect(dueTrigger(webhook, 'failed')).toBeUndefined();
    expect(dueTrigger(webhook, 'succeeded')).toBeUndefined();
    expect(dueTrigger(undefined, 'failed')).toBeUndefined();
  });
});
