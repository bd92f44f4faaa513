import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from './__testUtils__/page';

const reader = (name: string) => name === 'opsdeck.monitoring.alert.read';

describe('MonitoringPage', () => {
  it('lists alerts and shows one alert’s deliveries on expand', async () => {
    await render(reader);
    const row = await screen.findByTestId('alert-1');
    expect(row).toHaveTextContent('firing');
    expect(row).toHaveTextContent('HostDown');
    expect(row).toHaveTextContent('critical');
    expect(within(row).getByRole('link', { name: 'web-01' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/web-01',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Show deliveries of HostDown' }),
    );
    // a stale resolution says so (Alertmanager stopped sending the alert)
    const stale = screen.getByTestId('alert-2');
    expect(stale).toHaveTextContent('resolved (stale)');
    expect(
      within(stale).getByTitle(
        'Alertmanager stopped sending this firing alert; opsdeck resolved it',
      ),
    ).toHaveTextContent('resolved (stale)');
    expect(screen.getByTestId('alert-1')).not.toHaveTextContent('stale');
    const hook = await screen.findByTestId('delivery-ops-hook');
    expect(hook).toHaveTextContent('ops-hook (webhook)');
    expect(hook).toHaveTextContent('failed');
    expect(hook).toHaveTextContent('3');
    expect(hook).toHaveTextContent('HTTP 502');
    expect(screen.getByTestId('delivery-ops-dingtalk')).toHaveTextContent(
      'sent',
    );
    // an unknown outcome says it may have gone out; a reader (no
    // opsdeck.monitoring.rule.manage) cannot send anything again
    expect(screen.getByTestId('delivery-ops-mail')).toHaveTextContent(
      'this message may already have gone out',
    );
    expect(screen.queryByRole('button', { name: 'Send again' })).toBeNull();
    // the acknowledgement state, without the button (no alert.acknowledge)
    expect(screen.getByTestId('ack-state-1')).toHaveTextContent(
      'Unacknowledged',
    );
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    // no opsdeck.monitoring.metrics.read: no fleet tab
    expect(screen.getAllByRole('tab').map(t => t.textContent)).toEqual([
      'Alerts',
      'Rules',
      'Silences',
      'Probes',
      'Channels',
      'On-call',
    ]);
  });

  it('shows a reader the rules and silences without New rule, Edit, Silence or Expire', async () => {
    await render(reader, 'rules');
    expect(await screen.findByTestId('rule-web-01 down')).toHaveTextContent(
      'entity resource:default/web-01',
    );
    expect(
      screen.getByRole('button', { name: 'Versions' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    await userEvent.click(screen.getByRole('tab', { name: 'Silences' }));
    expect(await screen.findByTestId('silence-a1b2c3')).toHaveTextContent(
      'maintenance',
    );
    expect(screen.queryByRole('button', { name: 'Silence' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Expire' })).toBeNull();
  });

  it('lists the channels to a reader without Preview and test send', async () => {
    await render(reader, 'channels');
    expect(await screen.findByTestId('channel-ops-mail')).toHaveTextContent(
      'email',
    );
    expect(screen.getByTestId('channel-all-hook')).toHaveTextContent(
      'every owner',
    );
    expect(
      screen.queryByRole('button', { name: 'Preview and test send' }),
    ).toBeNull();
  });
});
