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

    // delete asks first
    await userEvent.click(
      within(await screen.findByTestId('probe-7')).getByRole('button', {
        name: 'Delete',
      }),
    );
    const confirm = await screen.findByRole('dialog');
    expect(confirm).toHaveTextContent(
      'Delete the probe of https://web-01.example.com/health?',
    );
    expect(calls.filter(c => c.method === 'DELETE')).toEqual([]);
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() =>
      expect(calls).toContainEqual({ method: 'DELETE', path: '/probes/7' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it("shows each probe's state from probe_success", async () => {
    await render(ops, 'probes');
    const row = await screen.findByTestId('probe-7');
    await waitFor(() =>
      expect(within(row).getByTestId('probe-state')).toHaveTextContent(
        /^Downprobed /,
      ),
    );
  });

  it("edits a probe: its values filled in, the server's refusal shown in the dialog, then saved", async () => {
    const calls = await render(ops, 'probes');
    await userEvent.click(
      within(await screen.findByTestId('probe-7')).getByRole('button', {
        name: 'Edit',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Edit probe 7');
    // the entity as the catalog names it (picked, not typed)
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Entity')).toHaveValue(
        'web-01 (host, resource:default/web-01)',
      ),
    );
    expect(within(dialog).getByLabelText('Kind')).toHaveValue('http');
    const target = within(dialog).getByLabelText('Target');
    expect(target).toHaveValue('https://web-01.example.com/health');
    expect(
      within(dialog).getByLabelText('Expected status (optional)'),
    ).toHaveValue('200');
    expect(
      within(dialog).getByLabelText('Body must match (optional)'),
    ).toHaveValue('ok');
    expect(within(dialog).getByLabelText('Interval')).toHaveValue('15s');

    await userEvent.clear(target);
    await userEvent.type(target, 'http://169.254.169.254/latest/meta-data/');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The probe was refused: Probes may not reach 169.254.169.254',
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();

    await userEvent.clear(target);
    await userEvent.type(target, 'https://web-01.example.com/ready');
    await userEvent.clear(
      within(dialog).getByLabelText('Expected status (optional)'),
    );
    await userEvent.selectOptions(
      within(dialog).getByLabelText('Interval'),
      '30s',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'PUT',
        path: '/probes/7',
        body: {
          entityRef: 'resource:default/web-01',
          kind: 'http',
          target: 'https://web-01.example.com/ready',
          bodyRegex: 'ok',
          interval: '30s',
        },
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
