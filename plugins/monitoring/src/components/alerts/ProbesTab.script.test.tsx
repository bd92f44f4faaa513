import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderPage as render } from './__testUtils__/page';

// In its own file: the permission answers are cached per test module.
// Ops who manage probes but may not write scripts on hosts.
const opsWithoutScripts = (name: string) =>
  name.startsWith('opsdeck.monitoring.') &&
  name !== 'opsdeck.monitoring.probe.script';

describe('Probes tab for ops without opsdeck.monitoring.probe.script', () => {
  it('lists a script probe without its Edit, and offers no script kind', async () => {
    await render(opsWithoutScripts, 'probes');
    const row = await screen.findByTestId('probe-11');
    expect(row).toHaveTextContent('Script');
    expect(row).toHaveTextContent('disk-root');
    expect(row).toHaveTextContent('bash script exits 0');
    expect(within(row).queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(
      within(row).getByRole('button', { name: 'Delete' }),
    ).toBeInTheDocument();
    // the other probes stay editable
    expect(
      within(await screen.findByTestId('probe-7')).getByRole('button', {
        name: 'Edit',
      }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'New probe' }));
    const dialog = await screen.findByRole('dialog');
    const kinds = Array.from(
      (within(dialog).getByLabelText('Kind') as HTMLSelectElement).options,
    ).map(o => o.value);
    expect(kinds).toEqual(['tcp', 'http', 'process']);
  });
});
