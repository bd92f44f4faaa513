import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { coreApis } from '@backstage/frontend-plugin-api';
import { mockApis } from '@backstage/frontend-test-utils';
import type { HostSelector } from '@opsdeck/plugin-cmdb-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';

const BASE = 'http://example.test';
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
const fakeBackend = (
  handler: (url: URL, init?: RequestInit) => Promise<Response>,
) =>
  jest.fn(async (input: RequestInfo | URL, init?: RequestInit) =>
    handler(new URL(String(input)), init),
  );
import { HostSelectorField } from './HostSelectorField';

const hostEntity = (name: string, spec: object, tags: string[] = []) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', tags },
  spec: { type: 'host', ...spec },
});

const catalogApi = catalogApiMock({
  entities: [
    hostEntity(
      'web-01',
      { owner: 'ops', system: 'shop', environment: 'prod' },
      ['web'],
    ),
    hostEntity('db-01', { owner: 'dba', environment: 'staging' }, ['db']),
  ],
});

function Harness(props: { onValue(v: HostSelector): void }) {
  const [value, setValue] = useState<HostSelector>({});
  return (
    <HostSelectorField
      value={value}
      onChange={v => {
        setValue(v);
        props.onValue(v);
      }}
    />
  );
}

describe('HostSelectorField', () => {
  it('offers catalog values, splits typed names and previews the match count', async () => {
    const fetch = fakeBackend(async (url, init) => {
      expect(url.pathname).toBe('/api/cmdb/hosts/resolve');
      const { selector, limit } = JSON.parse(String(init?.body));
      expect(limit).toBe(5);
      const total = selector.names?.length ?? 7;
      return json({
        items: (selector.names ?? []).map((name: string) => ({ name })),
        total,
      });
    });
    const values: HostSelector[] = [];
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [coreApis.discovery, mockApis.discovery({ baseUrl: BASE })],
          [
            coreApis.fetch,
            mockApis.fetch({
              baseImplementation: fetch as typeof globalThis.fetch,
            }),
          ],
        ]}
      >
        <Harness onValue={v => values.push(v)} />
      </TestApiProvider>,
    );
    expect(screen.getByTestId('host-selector-preview')).toHaveTextContent(
      'Choose hosts by name',
    );
    expect(fetch).not.toHaveBeenCalled();

    // the environment field offers the catalog's environments
    await userEvent.click(screen.getByLabelText('Environment'));
    expect(
      await screen.findByRole('option', { name: 'staging' }),
    ).toBeVisible();
    await userEvent.click(screen.getByRole('option', { name: 'prod' }));
    await waitFor(() =>
      expect(screen.getByTestId('host-selector-preview')).toHaveTextContent(
        '7 hosts match',
      ),
    );
    expect(values[values.length - 1]).toEqual({ environment: 'prod' });

    // names typed with commas become one value each (on leaving the field)
    await userEvent.type(screen.getByLabelText('Host names'), 'web-01, db-01');
    await userEvent.click(screen.getByLabelText('System'));
    await waitFor(() =>
      expect(values[values.length - 1].names).toEqual(['web-01', 'db-01']),
    );
    await waitFor(() =>
      expect(screen.getByTestId('host-selector-preview')).toHaveTextContent(
        '2 hosts match: web-01, db-01',
      ),
    );
  });

  it('says when the preview fails', async () => {
    const fetch = fakeBackend(async () =>
      json({ error: { name: 'Error', message: 'boom' } }, 500),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [coreApis.discovery, mockApis.discovery({ baseUrl: BASE })],
          [
            coreApis.fetch,
            mockApis.fetch({
              baseImplementation: fetch as typeof globalThis.fetch,
            }),
          ],
        ]}
      >
        <HostSelectorField value={{ tags: ['web'] }} onChange={() => {}} />
      </TestApiProvider>,
    );
    await waitFor(() =>
      expect(screen.getByTestId('host-selector-preview')).toHaveTextContent(
        'Cannot count matching hosts',
      ),
    );
  });
});
