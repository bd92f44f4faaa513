import { createPermission } from '@backstage/plugin-permission-common';
import { compileOperations, normalizeAccess } from './access';

const read = createPermission({
  name: 'x.read',
  attributes: { action: 'read' },
});

const spec = {
  paths: {
    '/a': { get: {}, post: {}, parameters: [] },
    '/a/{id}': { get: {}, delete: {} },
    '/a/special': { get: {} },
  },
};

describe('compileOperations', () => {
  const all = {
    'GET /a': read,
    'POST /a': read,
    'GET /a/{id}': read,
    'DELETE /a/{id}': read,
    'GET /a/special': read,
  };

  it('needs a rule for every operation and no rule for an unknown one', () => {
    const { 'DELETE /a/{id}': _, ...missing } = all;
    expect(() => compileOperations(spec, missing)).toThrow(
      'No access rule for operation DELETE /a/{id}',
    );
    expect(() =>
      compileOperations(spec, { ...all, 'PUT /a/{id}': read }),
    ).toThrow(
      'Access rules for operations the spec does not have: PUT /a/{id}',
    );
  });

  it('matches methods and path templates, literal segments first', () => {
    const table = compileOperations(spec, all);
    expect(table.match('GET', '/a')?.key).toBe('GET /a');
    expect(table.match('GET', '/a/')?.key).toBe('GET /a');
    expect(table.match('HEAD', '/a/7')?.key).toBe('GET /a/{id}');
    expect(table.match('GET', '/a/special')?.key).toBe('GET /a/special');
    expect(table.match('DELETE', '/a/special')?.key).toBe('DELETE /a/{id}');
    expect(table.match('PUT', '/a/7')).toBeUndefined();
    expect(table.match('GET', '/a/7/b')).toBeUndefined();
    expect(table.match('GET', '/openapi.json')).toBeUndefined();
  });
});

describe('normalizeAccess', () => {
  it('expands the short forms', () => {
    expect(normalizeAccess(read)).toEqual({
      kind: 'permission',
      permission: read,
      allow: ['user', 'service'],
      message: undefined,
    });
    expect(normalizeAccess({ permission: read, allow: ['user'] })).toEqual({
      kind: 'permission',
      permission: read,
      allow: ['user'],
      message: undefined,
    });
    expect(
      normalizeAccess({ authenticate: ['service'], reason: 'workflow' }),
    ).toEqual({ kind: 'authenticate', allow: ['service'], reason: 'workflow' });
    expect(normalizeAccess({ public: 'sign-in' })).toEqual({
      kind: 'public',
      reason: 'sign-in',
    });
  });
});
