import { mockApis } from '@backstage/frontend-test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Credential } from '../../api';

/**
 * What the credentials page tests share: a fake vault backend, the catalog's
 * groups and systems, and the page's APIs. Tests that deny permissions live
 * in their own file: usePermission caches decisions (SWR) per module.
 */

export const BASE = 'http://example.test';

export function credential(
  name: string,
  overrides: Partial<Credential> = {},
): Credential {
  return {
    name,
    type: 'ssh-key',
    username: 'deploy',
    description: '',
    owner: 'group:default/ops',
    allowedUses: ['ssh-login'],
    allowedSystems: [],
    allowedEnvironments: [],
    fingerprint: `SHA256:fp-${name}`,
    keyAlgorithm: 'ssh-ed25519',
    keyId: 'k1',
    createdBy: 'user:default/alice',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedBy: 'user:default/alice',
    updatedAt: '2026-03-01T10:00:00.000Z',
    secretUpdatedAt: '2026-03-01T10:00:00.000Z',
    ...overrides,
  };
}

export function json(body: unknown, status = 200) {
  // Backstage error bodies also carry response.statusCode
  const payload =
    status >= 400
      ? { ...(body as object), response: { statusCode: status } }
      : body;
  return new Response(JSON.stringify(payload), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

type Call = { method: string; path: string; body?: any };

/** A fake vault backend with state; `manage: false` answers changes with 403. */
export function fakeVault(options: { manage?: boolean; list?: Response } = {}) {
  const items = new Map<string, Credential>([
    ['web-prod', credential('web-prod', { description: 'Web servers' })],
    [
      'db-main',
      credential('db-main', {
        type: 'password',
        username: 'postgres',
        owner: undefined,
        allowedUses: [],
        fingerprint: undefined,
        keyAlgorithm: undefined,
      }),
    ],
  ]);
  const calls: Call[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : undefined;
      const url = new URL(request ? request.url : String(input));
      const method = (request?.method ?? init?.method ?? 'GET').toUpperCase();
      const text = request ? await request.text() : (init?.body as string);
      const body = text ? JSON.parse(text) : undefined;
      const path = url.pathname.replace('/api/vault', '');
      calls.push({ method, path, body });
      if (method === 'GET' && path === '/credentials') {
        return (
          options.list ??
          json({
            items: [...items.values()].sort((a, b) =>
              a.name.localeCompare(b.name),
            ),
          })
        );
      }
      if (options.manage === false) {
        return json({ error: { name: 'NotAllowedError', message: 'no' } }, 403);
      }
      if (method === 'POST' && path === '/credentials') {
        if (items.has(body.name)) {
          return json(
            {
              error: {
                name: 'ConflictError',
                message: `A credential named '${body.name}' already exists`,
              },
            },
            409,
          );
        }
        const created = credential(body.name, {
          type: body.type,
          username: body.username,
          owner: body.owner,
          allowedUses: body.allowedUses,
          allowedSystems: body.allowedSystems,
          allowedEnvironments: body.allowedEnvironments,
        });
        items.set(body.name, created);
        return json(created, 201);
      }
      const match = /^\/credentials\/([^/]+)(\/secret|\/policy)?$/.exec(path);
      if (match && method === 'PUT' && match[2] === '/policy') {
        const updated = { ...items.get(match[1])!, ...body };
        items.set(match[1], updated);
        return json(updated);
      }
      if (match && method === 'PUT') {
        return json(items.get(match[1]));
      }
      if (match && method === 'DELETE') {
        items.delete(match[1]);
        return new Response(null, { status: 204 });
      }
      return json({ error: { name: 'NotFoundError', message: 'nope' } }, 404);
    },
  );
  return { fetch, calls };
}

/** The catalog's groups and systems the policy fields offer. */
export const catalogEntities: Entity[] = [
  ['Group', 'ops', 'Operations'],
  ['Group', 'dba', 'DBAs'],
  ['System', 'payments', 'Payments'],
  ['System', 'shop', 'Shop'],
].map(([kind, name, title]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', title },
  spec: {},
}));

export function apis(
  fetch: ReturnType<typeof fakeVault>['fetch'],
  options: { manage?: boolean } = {},
) {
  return [
    mockApis.discovery({ baseUrl: BASE }),
    mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
    catalogApiMock({ entities: catalogEntities }),
    mockApis.permission({
      authorize:
        options.manage === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    }),
  ] as const;
}

/** Picks `option` in the autocomplete labelled `label` inside `container`. */
export async function pick(
  container: HTMLElement,
  label: RegExp,
  option: string,
) {
  const input = within(container).getByLabelText(label);
  fireEvent.change(input, { target: { value: option.slice(0, 3) } });
  const found = await screen.findByRole(
    'option',
    { name: new RegExp(option) },
    { timeout: 10_000 },
  );
  fireEvent.click(found);
}
