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

  it('lets ops send a failed delivery again, and an unknown one only after confirming', async () => {
    const calls = await render(ops);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Show deliveries of HostDown',
      }),
    );
    const hook = await screen.findByTestId('delivery-ops-hook');
    // a sent delivery has no Send again
    expect(
      within(screen.getByTestId('delivery-ops-dingtalk')).queryByRole('button'),
    ).toBeNull();
    await userEvent.click(
      within(hook).getByRole('button', { name: 'Send again' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/deliveries/2/retry',
        body: {},
      }),
    );
    const mail = screen.getByTestId('delivery-ops-mail');
    expect(mail).toHaveTextContent('this message may already have gone out');
    await userEvent.click(
      within(mail).getByRole('button', { name: 'Send again' }),
    );
    expect(
      await screen.findByText('Send again to ops-mail?'),
    ).toBeInTheDocument();
    // nothing is sent before the confirmation
    expect(calls.filter(c => c.path === '/deliveries/3/retry')).toEqual([]);
    await userEvent.click(screen.getByTestId('retry-unknown-confirm'));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/deliveries/3/retry',
        body: { confirmUnknown: true },
      }),
    );
  });

  it('previews a channel message and test-sends it', async () => {
    const calls = await render(ops, 'channels');
    const row = await screen.findByTestId('channel-ops-mail');
    await userEvent.click(
      within(row).getByRole('button', { name: 'Preview and test send' }),
    );
    expect(
      await screen.findByText('Test message for ops-mail'),
    ).toBeInTheDocument();
    const preview = await screen.findByTestId('channel-preview');
    expect(preview).toHaveTextContent('[告警 FIRING] OpsdeckTestAlert (test)');
    expect(preview).toHaveTextContent('Test send by user:default/bob');
    expect(calls.filter(c => c.method === 'POST')).toEqual([]);
    await userEvent.click(screen.getByTestId('channel-test-send'));
    expect(await screen.findByTestId('channel-test-result')).toHaveTextContent(
      'Delivery: sent',
    );
    expect(calls).toContainEqual({
      method: 'POST',
      path: '/channels/ops-mail/test',
    });
    // past the person's limit: the 429's code in the reader's language
    await userEvent.click(screen.getByTestId('channel-test-send'));
    expect(
      await screen.findByText(
        'You sent 1 messages by hand in the last minute: try again in 42 seconds',
        { exact: false },
      ),
    ).toBeInTheDocument();
  });
});
