import { screen, within } from '@testing-library/react';
import { renderPage as render } from '../alerts/__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const reader = (name: string) => name === 'opsdeck.monitoring.alert.read';

describe('On-call tab for a reader', () => {
  it('shows who is on call now, the next handoffs and the overrides, without changing anything', async () => {
    const calls = await render(reader, 'oncall');
    const card = await screen.findByTestId('rotation-3');
    expect(screen.getByRole('tab', { name: 'On-call' })).toBeInTheDocument();
    expect(within(card).getByText('Primary')).toBeInTheDocument();
    expect(screen.getByTestId('oncall-now-3')).toHaveTextContent(
      'On call now: olga',
    );
    expect(card).toHaveTextContent('Weekly');
    expect(card).toHaveTextContent(
      'Handoff 09:00 (Asia/Shanghai), from 2026-11-30',
    );
    expect(card).toHaveTextContent('olga → erin');
    const rows = within(screen.getByTestId('schedule-3')).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('olga');
    expect(rows[2]).toHaveTextContent('erin');
    // dates through the reader's locale (en: 12/7/2026 …)
    expect(rows[2].textContent).toMatch(/2026/);
    expect(screen.getByTestId('override-5')).toHaveTextContent('erin');
    for (const name of [
      'New rotation',
      'Edit',
      'Delete',
      'Add override',
      'Remove',
    ]) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
    expect(calls.filter(c => c.method !== 'GET')).toEqual([]);
    expect(calls).toContainEqual({ method: 'GET', path: '/oncall/rotations' });
  });
});
