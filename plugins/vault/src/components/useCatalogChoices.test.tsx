import { renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import React from 'react';
import { useCatalogChoices } from './useCatalogChoices';

describe('useCatalogChoices', () => {
  it('offers the groups when a resource has none of the fields asked for', async () => {
    // The catalog answers `{}` for an entity without any requested field: a
    // registry or cluster with no environment label. That used to throw and
    // left the owner picker of the credential dialog empty.
    const catalogApi = {
      getEntities: jest.fn(
        async ({ filter }: { filter: { kind: string } }) => ({
          items:
            filter.kind === 'Group'
              ? [
                  {
                    kind: 'Group',
                    metadata: {
                      name: 'ops',
                      namespace: 'default',
                      title: 'Operations',
                    },
                  },
                ]
              : filter.kind === 'Resource'
              ? [{}, { spec: { environment: 'qa' } }]
              : [],
        }),
      ),
    };
    const { result } = renderHook(() => useCatalogChoices(), {
      wrapper: ({ children }: { children: React.ReactNode }) => (
        <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
          {children}
        </TestApiProvider>
      ),
    });
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.error).toBeUndefined();
    expect(result.current.groups).toEqual([
      { ref: 'group:default/ops', title: 'Operations' },
    ]);
    expect(result.current.environments).toContain('qa');
  });
});
