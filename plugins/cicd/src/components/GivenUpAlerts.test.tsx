import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, givenUp, render } from '../__testUtils__/renderCicd';

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

  const unknown = {
    ...givenUp,
    id: 6,
    number: 46,
    status: 'unknown' as const,
    title: 'Build failed: shop main:shop/web #46',
    lastError: '',
  };

  it('says why an alert whose outcome is unknown is listed (a replica stopped mid-send)', async () => {
    render(true, { givenUp: [unknown] });
    const rows = await screen.findAllByTestId('cicd-given-up-row');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveTextContent(
      'Outcome unknown: a replica stopped while sending it, so it may have gone out.',
    );
    expect(rows[0]).not.toHaveTextContent('Outcome unknown');
    expect(
      within(rows[1]).getByRole('button', { name: 'Send again' }),
    ).toBeEnabled();
  });

  it('says it in Simplified Chinese', async () => {
    render(true, { givenUp: [unknown], language: 'zh-CN' });
    const rows = await screen.findAllByTestId('cicd-given-up-row');
    expect(rows[1]).toHaveTextContent(
      '结果未知：发送过程中副本停止运行，告警可能已经发出。',
    );
    expect(
      screen.getByRole('columnheader', { name: '原因' }),
    ).toBeInTheDocument();
  });

  it('shows and asks nothing without the permission', async () => {
    const calls = render(false);
    await screen.findAllByTestId('cicd-timeline-row');
    expect(screen.queryByTestId('cicd-given-up-alerts')).toBeNull();
    expect(screen.queryByText('Build alerts not delivered')).toBeNull();
    expect(calls.some(c => c.url.includes('/alerts/'))).toBe(false);
  });
});
