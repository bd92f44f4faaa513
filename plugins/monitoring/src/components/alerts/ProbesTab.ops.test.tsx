import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from './__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const ops = (name: string) => name.startsWith('opsdeck.monitoring.');

describe('Probes tab for ops', () => {
  it('lists probes, creates a sub-minute HTTP probe and deletes one', async () => {
    const calls = await render(ops, 'probes');
    const row = await screen.findByTestId('probe-7');
    expect(row).toHaveTextContent('https://web-01.example.com/health');
    expect(row).toHaveTextContent('HTTP 200, body ~ ok');
    expect(row).toHaveTextContent('15s');

    await userEvent.click(screen.getByRole('button', { name: 'New probe' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Kind'),
      'http',
    );
    await userEvent.type(
      within(dialog).getByLabelText('Target'),
      'https://web-01.example.com/ready',
    );
    await userEvent.type(
      within(dialog).getByLabelText('Expected status (optional)'),
      '204',
    );
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Interval'),
      '15s',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/probes',
        body: {
          entityRef: 'resource:default/web-01',
          kind: 'http',
          target: 'https://web-01.example.com/ready',
          expectStatus: 204,
          interval: '15s',
        },
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    await userEvent.click(
      within(await screen.findByTestId('probe-7')).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({ method: 'DELETE', path: '/probes/7' }),
    );
  });
});
