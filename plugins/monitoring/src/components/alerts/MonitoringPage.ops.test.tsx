import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from './__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const ops = (name: string) => name.startsWith('opsdeck.monitoring.');

describe('MonitoringPage for ops', () => {
  it('lets ops expire a silence and open the New rule dialog', async () => {
    const calls = await render(ops, 'silences');
    await screen.findByTestId('silence-a1b2c3');
    await userEvent.click(
      await screen.findByRole('button', { name: 'Expire' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'DELETE',
        path: '/silences/a1b2c3',
      }),
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Rules' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'New rule' }),
    );
    expect(await screen.findByText('New alert rule')).toBeInTheDocument();
  });
});
