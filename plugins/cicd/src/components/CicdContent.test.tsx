import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, render } from '../__testUtils__/renderCicd';

describe('CI/CD tab, without cicd.build.rebuild or cicd.cause.manage', () => {
  it('lists builds and shows a failed build with its cause highlighted', async () => {
    const calls = render(false);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Open build main:shop/web #45',
      }),
    );
    expect(
      await screen.findByText('TypeScript compile error'),
    ).toBeInTheDocument();
    expect(screen.getByText('Compile')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Runbook' })).toHaveAttribute(
      'href',
      'https://runbooks.test/ts',
    );
    const highlighted = screen
      .getByTestId('cicd-console')
      .querySelectorAll('[data-highlighted="true"]');
    expect([...highlighted].map(e => e.getAttribute('data-line'))).toEqual([
      '21',
    ]);
    expect(screen.getByText('Failing stage: Build')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Rebuild' }),
    ).not.toBeInTheDocument();
    expect(calls.map(c => c.url)).toEqual([
      `${BASE}/api/cicd/entities/component/default/shop/builds?page=0&limit=20`,
      `${BASE}/api/cicd/timeline?entity=component%3Adefault%2Fshop`,
      `${BASE}/api/cicd/causes`,
      `${BASE}/api/cicd/entities/component/default/shop/build?job=main%3Ashop%2Fweb&number=45`,
    ]);
    // without cicd.cause.manage: no adding, no picking lines
    expect(
      screen.queryByRole('button', { name: 'Add a cause' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Pick line 20' }),
    ).not.toBeInTheDocument();
  });

  it('lists stored causes; delete only with the permission', async () => {
    render(false);
    const row = await screen.findByTestId('cicd-stored-cause');
    expect(row).toHaveTextContent('Strict tsc');
    expect(row).toHaveTextContent('user:default/dave');
    expect(screen.queryByText('TypeScript compile error')).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Delete cause Strict tsc' }),
    ).not.toBeInTheDocument();
  });
});
