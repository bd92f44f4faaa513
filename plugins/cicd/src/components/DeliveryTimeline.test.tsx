import { screen, waitFor, within } from '@testing-library/react';
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
    expect(rows[4]).toHaveTextContent('1.4.2 to production by argocd');
    expect(rows[4]).toHaveTextContent('Rolled back');
    expect(rows[4]).toHaveTextContent('c0ffee12');
    expect(within(rows[4]).getByRole('link', { name: 'Open' })).toHaveAttribute(
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
      within(rows[4]).getByRole('button', {
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

describe('CI/CD tab: Jenkins artifacts', () => {
  it('downloads a Jenkins artifact through the backend, never from Jenkins', async () => {
    const created: Blob[] = [];
    const original = {
      create: URL.createObjectURL,
      revoke: URL.revokeObjectURL,
    };
    URL.createObjectURL = (b: Blob) => {
      created.push(b);
      return 'blob:artifact';
    };
    URL.revokeObjectURL = () => {};
    try {
      const calls = render(false);
      const rows = await screen.findAllByTestId('cicd-timeline-row');
      // no Jenkins address is linked for it
      expect(within(rows[3]).queryByRole('link', { name: 'Open' })).toBeNull();
      await userEvent.click(
        within(rows[3]).getByRole('button', { name: 'web-1.4.2.tgz' }),
      );
      await waitFor(() => expect(created).toHaveLength(1));
      expect(calls.at(-1)?.url).toBe(
        `${BASE}/api/cicd/entities/component/default/shop/artifact?job=main%3Ashop%2Fweb&number=45&path=dist%2Fweb-1.4.2.tgz`,
      );
    } finally {
      URL.createObjectURL = original.create;
      URL.revokeObjectURL = original.revoke;
    }
  });
});
