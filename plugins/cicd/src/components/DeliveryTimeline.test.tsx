import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BASE, render } from '../__testUtils__/renderCicd';

describe('CI/CD tab: delivery timeline', () => {
  it('lists commit, build, artifact and deployment in time order and opens the build a deployment came from', async () => {
    const calls = render(false);
    const rows = await screen.findAllByTestId('cicd-timeline-row');
    expect(rows.map(r => r.getAttribute('data-kind'))).toEqual([
      'commit',
      'build',
      'artifact',
      'deployment',
    ]);
    expect(
      screen.getByRole('table', {
        name: 'Commits, builds, artifacts and deployments of this component, oldest first',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Delivery timeline')).toBeInTheDocument();
    expect(rows[2]).toHaveTextContent('registry.test/shop/web:1.4.2');
    expect(rows[3]).toHaveTextContent('1.4.2 to production by argocd');
    expect(rows[3]).toHaveTextContent('Rolled back');
    expect(rows[3]).toHaveTextContent('c0ffee12');
    expect(within(rows[3]).getByRole('link', { name: 'Open' })).toHaveAttribute(
      'href',
      'https://argocd.test/applications/shop',
    );
    expect(
      calls.some(
        c =>
          c.url ===
          `${BASE}/api/cicd/timeline?entity=component%3Adefault%2Fshop`,
      ),
    ).toBe(true);
    await userEvent.click(
      within(rows[3]).getByRole('button', {
        name: 'From build main:shop/web #45',
      }),
    );
    expect(
      await screen.findByText('TypeScript compile error'),
    ).toBeInTheDocument();
    expect(calls.at(-1)?.url).toBe(
      `${BASE}/api/cicd/entities/component/default/shop/build?job=main%3Ashop%2Fweb&number=45`,
    );
  });
});
