import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { credentialsPage } from '../plugin';
import { CredentialsPage } from './CredentialsPage';
import {
  apis,
  fakeVault,
  json,
  pick,
} from './__testUtils__/credentialsPageKit';

// the machine that runs the suite is shared and slow at times
jest.setTimeout(120_000);

const PASSWORD = 'hunter2-very-secret';

describe('CredentialsPage', () => {
  it('lists credentials with their metadata', async () => {
    const { fetch } = fakeVault();
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('credential-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('db-main')).toBeInTheDocument();
    expect(within(rows[0]).getByText('Password')).toBeInTheDocument();
    expect(within(rows[0]).getByText('postgres')).toBeInTheDocument();
    expect(within(rows[1]).getByText('web-prod')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Web servers')).toBeInTheDocument();
    expect(within(rows[1]).getByText('SSH key')).toBeInTheDocument();
    expect(within(rows[1]).getByText('SHA256:fp-web-prod')).toBeInTheDocument();
    expect(within(rows[1]).getByText('group:default/ops')).toBeInTheDocument();
    // the policy: uses and scope, or that the credential serves nothing yet
    expect(within(rows[1]).getByText('SSH login')).toBeInTheDocument();
    expect(
      within(rows[1]).getByText('any system · any environment'),
    ).toBeInTheDocument();
    expect(
      within(rows[0]).getByText(
        'Serves nothing until an admin sets an owner and uses',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/1 credential\(s\) serve nothing/),
    ).toBeInTheDocument();
    for (const header of [
      'Name',
      'Type',
      'Username',
      'Fingerprint',
      'Owner',
      'Policy',
      'Updated',
    ]) {
      expect(
        screen.getByRole('columnheader', { name: header }),
      ).toBeInTheDocument();
    }
  });

  it('adds a password credential through the dialog', async () => {
    const { fetch, calls } = fakeVault();
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('credential-row');

    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Add credential' },
        { timeout: 10_000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'db-replica' },
    });
    fireEvent.mouseDown(within(dialog).getByLabelText('Type'));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Password',
      }),
    );
    fireEvent.change(within(dialog).getByLabelText(/^Username/), {
      target: { value: 'repl' },
    });
    await pick(dialog, /^Owner group/, 'DBAs');
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: 'Database reads' }),
    );
    await pick(dialog, /^Systems/, 'Payments');
    await pick(dialog, /^Environments/, 'prod');
    const secret = within(dialog).getByLabelText(/^Password/, {
      selector: 'input',
    });
    expect(secret).toHaveAttribute('type', 'password');
    fireEvent.change(secret, { target: { value: PASSWORD } });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(calls.find(c => c.method === 'POST')).toEqual({
      method: 'POST',
      path: '/credentials',
      body: {
        name: 'db-replica',
        type: 'password',
        username: 'repl',
        owner: 'group:default/dba',
        allowedUses: ['db-read'],
        allowedSystems: ['system:default/payments'],
        allowedEnvironments: ['prod'],
        secret: PASSWORD,
      },
    });
    // the list is reloaded and shows the new credential, not its secret
    expect(await screen.findByText('db-replica')).toBeInTheDocument();
    expect(screen.getAllByTestId('credential-row')).toHaveLength(3);
    expect(document.body.textContent).not.toContain(PASSWORD);
  });

  it('uses a multi-line field for SSH keys and shows server errors', async () => {
    const { fetch } = fakeVault();
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('credential-row');
    await userEvent.click(
      await screen.findByRole(
        'button',
        { name: 'Add credential' },
        { timeout: 10_000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    const key = within(dialog).getByLabelText(/^Private key/, {
      selector: 'textarea',
    });
    expect(key.tagName).toBe('TEXTAREA');
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'web-prod' },
    });
    // an SSH key can only log in
    expect(
      within(dialog).getByRole('checkbox', { name: 'Database admin' }),
    ).toBeDisabled();
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();
    await pick(dialog, /^Owner group/, 'Operations');
    fireEvent.change(key, { target: { value: 'key material' } });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(
      await within(dialog).findByText(
        "A credential named 'web-prod' already exists",
      ),
    ).toBeInTheDocument();
  });

  it('replaces a secret and deletes after confirmation', async () => {
    const { fetch, calls } = fakeVault();
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('credential-row');

    await userEvent.click(
      await within(rows[0]).findByRole(
        'button',
        { name: 'Replace secret' },
        { timeout: 10_000 },
      ),
    );
    const replace = await screen.findByRole('dialog');
    expect(
      within(replace).getByText('Replace the secret of db-main'),
    ).toBeInTheDocument();
    fireEvent.change(
      within(replace).getByLabelText(/^Password/, { selector: 'input' }),
      {
        target: { value: PASSWORD },
      },
    );
    await userEvent.click(
      within(replace).getByRole('button', { name: 'Replace secret' }),
    );
    await waitFor(() =>
      expect(calls.find(c => c.method === 'PUT')).toEqual({
        method: 'PUT',
        path: '/credentials/db-main/secret',
        body: { secret: PASSWORD },
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );

    await userEvent.click(
      within(screen.getAllByTestId('credential-row')[1]).getByRole('button', {
        name: 'Delete',
      }),
    );
    const confirm = await screen.findByRole('dialog');
    expect(within(confirm).getByText('Delete web-prod?')).toBeInTheDocument();
    // nothing is deleted before confirming
    expect(calls.some(c => c.method === 'DELETE')).toBe(false);
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('credential-row')).toHaveLength(1),
    );
    expect(calls.filter(c => c.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: '/credentials/web-prod', body: undefined },
    ]);
  });

  it('sets a policy from catalog choices', async () => {
    const { fetch, calls } = fakeVault();
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('credential-row');
    await userEvent.click(
      await within(rows[0]).findByRole(
        'button',
        { name: 'Policy' },
        { timeout: 10_000 },
      ),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Policy of db-main')).toBeInTheDocument();
    await pick(dialog, /^Owner group/, 'DBAs');
    await userEvent.click(
      within(dialog).getByRole('checkbox', { name: 'Database admin' }),
    );
    await pick(dialog, /^Environments/, 'prod');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(calls.find(c => c.path.endsWith('/policy'))).toEqual({
      method: 'PUT',
      path: '/credentials/db-main/policy',
      body: {
        owner: 'group:default/dba',
        allowedUses: ['db-admin'],
        allowedSystems: [],
        allowedEnvironments: ['prod'],
      },
    });
    expect(
      await within(screen.getAllByTestId('credential-row')[0]).findByText(
        'Database admin',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/serve nothing/)).not.toBeInTheDocument();
  });

  it('tells when the vault refuses a change', async () => {
    const { fetch } = fakeVault({ manage: false });
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('credential-row');
    await userEvent.click(
      await within(rows[1]).findByRole(
        'button',
        { name: 'Delete' },
        { timeout: 10_000 },
      ),
    );
    const confirm = await screen.findByRole('dialog');
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Delete' }),
    );
    expect(
      await within(confirm).findByText('Only admins can manage credentials'),
    ).toBeInTheDocument();
    expect(screen.getAllByTestId('credential-row')).toHaveLength(2);
  });

  it('names the missing permission when the list may not be read', async () => {
    const { fetch } = fakeVault({
      list: json({ error: { name: 'NotAllowedError', message: 'no' } }, 403),
    });
    await renderInTestApp(<CredentialsPage />, { apis: apis(fetch) });
    expect(await screen.findByText('Not allowed')).toBeInTheDocument();
    expect(
      screen.getByText(
        /You do not have the permission opsdeck\.vault\.credential\.read\./,
      ),
    ).toBeInTheDocument();
  });

  it('is translated to Simplified Chinese', async () => {
    const { fetch } = fakeVault();
    await renderInTestApp(<CredentialsPage />, {
      apis: [
        ...apis(fetch),
        mockApis.appLanguage({
          defaultLanguage: 'zh-CN',
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
    });
    expect(
      await screen.findByRole('columnheader', { name: '指纹' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: '添加凭据' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('columnheader', { name: '策略' }),
    ).toBeInTheDocument();
    expect(screen.getAllByText('SSH 登录').length).toBeGreaterThan(0);
  });
});

describe('credentials page extension', () => {
  it('mounts at /credentials with a nav title and icon', () => {
    const tester = createExtensionTester(credentialsPage, {
      apis: [mockApis.translation()],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/credentials');
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
    expect(tester.get(coreExtensionData.titleTranslation)).toMatchObject({
      key: 'page.title',
    });
  });
});
