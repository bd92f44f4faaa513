import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, render } from '../__testUtils__/renderCicd';

describe('CI/CD tab: build alerts not delivered', () => {
  it('lists given-up alerts with their reason and sends one again (ops)', async () => {
    const calls = render(true);
    const row = await screen.findByTestId('cicd-given-up-row');
    expect(row).toHaveTextContent('Build failed: shop main:shop/web #45');
    expect(row).toHaveTextContent('group:default/dev');
    expect(row).toHaveTextContent('notifications backend unavailable');
    await userEvent.click(
      within(row).getByRole('button', { name: 'Send again' }),
    );
    expect(
      await screen.findByText(
        'The alert of main:shop/web@component:default/shop #45 was sent.',
      ),
    ).toBeInTheDocument();
    expect(
      calls.some(
        c =>
          c.method === 'POST' &&
          c.url === `${BASE}/api/cicd/alerts/given-up/5/retry`,
      ),
    ).toBe(true);
  });

  it('shows and asks nothing without the permission', async () => {
    const calls = render(false);
    await screen.findAllByTestId('cicd-timeline-row');
    expect(screen.queryByTestId('cicd-given-up-alerts')).toBeNull();
    expect(screen.queryByText('Build alerts not delivered')).toBeNull();
    expect(calls.some(c => c.url.includes('/alerts/'))).toBe(false);
  });
});
