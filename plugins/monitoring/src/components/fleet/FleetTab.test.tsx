import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FLEET, renderPage } from '../alerts/__testUtils__/page';

// A viewer: opsdeck.monitoring.metrics.read only (permission answers are
// cached per test module, hence its own file).
const viewer = (name: string) => name === 'opsdeck.monitoring.metrics.read';

describe('the fleet tab', () => {
  it('shows a viewer only the fleet: top lists, what is down, links and the time', async () => {
    const calls = await renderPage(viewer, 'alerts');
    // alert.read is missing: the fleet is the only tab, whatever the URL says
    expect(await screen.findByTestId('fleet-cpu')).toBeInTheDocument();
    expect(screen.getAllByRole('tab').map(t => t.textContent)).toEqual([
      'Fleet',
    ]);
    const cpu = screen.getByTestId('fleet-cpu');
    const rows = within(cpu).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('web-01');
    expect(rows[0]).toHaveTextContent('87.3 %');
    expect(rows[1]).toHaveTextContent('Pay app 1');
    expect(
      within(rows[1]).getByRole('link', { name: 'Pay app 1' }),
    ).toHaveAttribute('href', '/catalog/default/resource/pay-app-01');
    expect(screen.getByTestId('fleet-memory')).toHaveTextContent('40.5 %');
    expect(
      screen.getByText('No data from Prometheus for these hosts.'),
    ).toBeInTheDocument();
    const down = screen.getByTestId('fleet-down');
    expect(down).toHaveTextContent('10.0.0.12:9100');
    expect(within(down).getByRole('link', { name: 'web-02' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/web-02',
    );
    expect(screen.getByTestId('fleet-as-of')).toHaveTextContent(
      /^3 hosts you may read; numbers as of .*2026/,
    );
    expect(calls.map(c => c.path)).toEqual(['/fleet']);
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(calls.map(c => c.path)).toEqual(['/fleet', '/fleet']);
  });

  it('says when the user may read no host, and when every host answers', async () => {
    await renderPage(viewer, 'fleet', {
      status: 200,
      body: { ...FLEET, hosts: 0, cpu: [], memory: [], down: [] },
    });
    expect(
      await screen.findByText('No host you may read.'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('fleet-cpu')).toBeNull();
    expect(screen.queryByTestId('fleet-as-of')).toBeNull();
  });

  it('says so when every scraped host answers', async () => {
    await renderPage(viewer, 'fleet', {
      status: 200,
      body: { ...FLEET, down: [] },
    });
    expect(
      await screen.findByText('Every scraped host answers.'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('fleet-down')).toBeNull();
  });

  it("shows the backend's error", async () => {
    await renderPage(viewer, 'fleet', {
      status: 400,
      body: {
        error: {
          name: 'InputError',
          message: 'opsdeck.monitoring.prometheus.url is not set',
        },
        request: { method: 'GET', url: '/api/monitoring/fleet' },
        response: { statusCode: 400 },
      },
    });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load: opsdeck.monitoring.prometheus.url is not set',
    );
  });
});
