import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { CredentialsPage } from './CredentialsPage';
import { apis, fakeVault } from './__testUtils__/credentialsPageKit';

// the machine that runs the suite is shared and slow at times
jest.setTimeout(120_000);

// its own file: usePermission caches decisions (SWR) for the module's
// lifetime, so the allowed answers of other tests would carry over here
describe('CredentialsPage without manage permission', () => {
  it('shows admin actions to admins only', async () => {
    const { fetch } = fakeVault();
    await renderInTestApp(<CredentialsPage />, {
      apis: apis(fetch, { manage: false }),
    });
    const rows = await screen.findAllByTestId('credential-row');
    expect(rows).toHaveLength(2);
    for (const name of [
      'Add credential',
      'Policy',
      'Replace secret',
      'Delete',
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    expect(
      screen.queryByRole('columnheader', { name: 'Actions' }),
    ).not.toBeInTheDocument();
  });
});
