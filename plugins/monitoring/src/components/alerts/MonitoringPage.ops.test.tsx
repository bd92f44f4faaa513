import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from './__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const ops = (name: string) => name.startsWith('opsdeck.monitoring.');

describe('MonitoringPage for ops', () => {
  it('lets ops acknowledge a firing alert with a comment', async () => {
    const calls = await render(ops);
    const row = await screen.findByTestId('alert-1');
    // a resolution needs no acknowledgement
    expect(
      within(screen.getByTestId('alert-2')).queryByRole('button', {
        name: 'Acknowledge',
      }),
    ).toBeNull();
    await userEvent.click(
      within(row).getByRole('button', { name: 'Acknowledge' }),
    );
    expect(await screen.findByText('Acknowledge HostDown')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Comment (optional)'), 'on it');
    await userEvent.click(screen.getByTestId('ack-submit'));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/alerts/1/ack',
        body: { comment: 'on it' },
      }),
    );
  });

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
