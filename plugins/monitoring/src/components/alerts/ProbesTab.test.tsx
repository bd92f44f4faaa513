import { screen } from '@testing-library/react';
import { renderPage as render } from './__testUtils__/page';

// In its own file: the permission answers are cached per test module.
const reader = (name: string) => name === 'opsdeck.monitoring.alert.read';

describe('Probes tab for a reader', () => {
  it('lists the probes without New probe, Edit or Delete', async () => {
    const calls = await render(reader, 'probes');
    expect(await screen.findByTestId('probe-7')).toHaveTextContent(
      'https://web-01.example.com/health',
    );
    expect(screen.getByRole('tab', { name: 'Probes' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New probe' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).toBeNull();
    expect(calls.filter(c => c.method !== 'GET')).toEqual([]);
  });
});
