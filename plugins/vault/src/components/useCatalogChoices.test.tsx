import { renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { ReactNode } from 'react';
import { useCatalogChoices } from './useCatalogChoices';

describe('useCatalogChoices', () => {
  it('offers the groups when a resource has none of the fields asked for', async () => {
    // The catalog answers `{}` for an entity without any requested field: a
    // registry or cluster with no environment label. That used to throw and
    // left the owner picker of the credential dialog empty.
    const answers: Record<string, object[]> = {
      Group: [
        {
          kind: 'Group',
          metadata: { name: 'ops', namespace: 'default', title: 'Operations' },
        },
      ],
      Resource: [{}, { spec: { environment: 'qa' } }],
    };
    const catalogApi = {
      getEntities: jest.fn(
        async ({ filter }: { filter: { kind: string } }) => ({
          items: answers[filter.kind] ?? [],
        }),
      ),
    };
    const { result } = renderHook(() => useCatalogChoices(), {
      wrapper: ({ children }: { children: ReactNode }) => (
        <TestApiProvider apis={[[catalogApiRef, catalogApi as any]]}>
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
