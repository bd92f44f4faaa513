import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { SWRConfig } from 'swr';
import { RegistryImagePicker } from './RegistryImagePicker';

const BASE = 'http://example.test';

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

const registries = [
  {
    ref: 'resource:default/demo',
    title: 'Demo registry',
    url: 'http://127.0.0.1:18391/',
    authenticated: false,
  },
  {
    ref: 'resource:default/harbor',
    title: 'Harbor',
    url: 'https://harbor.test/',
    authenticated: true,
  },
];

/** The registry backend as the field sees it: paged repositories and tags. */
function backend(calls: string[]) {
  return jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input));
    calls.push(`${url.pathname}${url.search}`);
    const last = url.searchParams.get('last');
    if (url.pathname.endsWith('/registries'))
      return json({ items: registries });
    if (url.pathname.endsWith('/default/harbor/repositories')) {
      // two pages: the field reads them all
      return last
        ? json({ items: ['shop/web'] })
        : json({ items: ['infra/nginx'], next: 'infra/nginx' });
    }
    if (url.pathname.endsWith('/default/harbor/tags')) {
      const repository = url.searchParams.get('repository');
      if (repository !== 'shop/web') return json({ repository, items: [] });
      return last
        ? json({ repository, items: ['2.0.0'] })
        : json({ repository, items: ['1.0.0', '1.1.0'], next: '1.1.0' });
    }
    return json({ error: { name: 'NotFoundError', message: 'no' } }, 404);
  });
}

function Form(props: { onChange: (value: string) => void; initial?: string }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const fieldProps = {
    formData: value,
    onChange: (next: string) => {
      props.onChange(next);
      setValue(next);
    },
    schema: { title: 'Image', description: 'The image to deploy' },
    uiSchema: {},
    idSchema: { $id: 'root_image' },
    required: true,
    rawErrors: [],
  };
  return <RegistryImagePicker {...(fieldProps as any)} />;
}

// usePermission keeps answers in SWR's cache: a cache per render
function render(
  allow: boolean,
  props: { onChange: (value: string) => void; initial?: string },
  calls: string[] = [],
) {
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <Form {...props} />
    </SWRConfig>,
    {
      apis: [
        mockApis.discovery({ baseUrl: BASE }),
        mockApis.fetch({
          baseImplementation: backend(calls) as typeof globalThis.fetch,
        }),
        mockApis.permission({
          authorize: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        }),
      ],
    },
  );
}

const box = (name: RegExp) => screen.findByRole('textbox', { name });
const optionTexts = async () =>
  (await screen.findAllByRole('option')).map(o => o.textContent);

describe('OpsdeckRegistryImagePicker', () => {
  it('picks a registry, a repository and a tag through every page, and sets host/repository:tag', async () => {
    const onChange = jest.fn();
    const calls: string[] = [];
    await render(true, { onChange }, calls);
    await userEvent.click(await box(/^Registry/));
    expect(await optionTexts()).toEqual(['Demo registry', 'Harbor']);
    await userEvent.click(screen.getByRole('option', { name: 'Harbor' }));

    await userEvent.click(await box(/^Repository/));
    await waitFor(async () =>
      expect(await optionTexts()).toEqual(['infra/nginx', 'shop/web']),
    );
    await userEvent.click(screen.getByRole('option', { name: 'shop/web' }));
    expect(onChange).toHaveBeenLastCalledWith('');

    await userEvent.click(await box(/^Tag/));
    await waitFor(async () =>
      expect(await optionTexts()).toEqual(['1.0.0', '1.1.0', '2.0.0']),
    );
    await userEvent.click(screen.getByRole('option', { name: '2.0.0' }));
    expect(onChange).toHaveBeenLastCalledWith('harbor.test/shop/web:2.0.0');
    expect(calls).toEqual(
      expect.arrayContaining([
        '/api/registry/registries/default/harbor/repositories?limit=1000',
        '/api/registry/registries/default/harbor/repositories?limit=1000&last=infra%2Fnginx',
        '/api/registry/registries/default/harbor/tags?repository=shop%2Fweb&limit=1000&last=1.1.0',
      ]),
    );
  });

  it('clears the tag when another repository is picked', async () => {
    const onChange = jest.fn();
    await render(true, { onChange, initial: 'harbor.test/shop/web:1.0.0' });
    expect(await screen.findByDisplayValue('1.0.0')).toBeInTheDocument();
    expect(screen.getByDisplayValue('Harbor')).toBeInTheDocument();
    await userEvent.click(await box(/^Repository/));
    await userEvent.click(
      await screen.findByRole('option', { name: 'infra/nginx' }),
    );
    expect(onChange).toHaveBeenLastCalledWith('');
    expect(await box(/^Tag/)).toHaveValue('');
  });

  it('keeps the port of the registry host in the value', async () => {
    const onChange = jest.fn();
    await render(true, {
      onChange,
      initial: '127.0.0.1:18391/shop/web:1.0.0',
    });
    expect(
      await screen.findByDisplayValue('Demo registry'),
    ).toBeInTheDocument();
    expect(screen.getByDisplayValue('shop/web')).toBeInTheDocument();
  });

  it('is disabled and says why without the registry read permission, asking nothing', async () => {
    const calls: string[] = [];
    await render(false, { onChange: jest.fn() }, calls);
    expect(
      await screen.findByText(
        'You do not have permission to browse image registries',
      ),
    ).toBeInTheDocument();
    expect(await box(/^Registry/)).toBeDisabled();
    expect(await box(/^Tag/)).toBeDisabled();
    expect(calls).toEqual([]);
  });
});
