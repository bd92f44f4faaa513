import { render, screen } from '@testing-library/react';
import { mockApis, TestApiProvider } from '@backstage/frontend-test-utils';
import { errorApiRef, translationApiRef } from '@backstage/frontend-plugin-api';
import { EntityKindFilter } from '@backstage/plugin-catalog-react';
import { MockEntityListContextProvider } from '@backstage/plugin-catalog-react/testUtils';
import { useCatalogListTitle } from './useListTitle';
import { appTranslationRef } from '../../translation/appTranslation';
import zhCN from '../../translation/zhCN';

function Title() {
  return <span>{useCatalogListTitle()}</span>;
}

function renderTitle(filters: Record<string, unknown>, totalItems?: number) {
  render(
    <TestApiProvider
      apis={[
        [translationApiRef, mockApis.translation()],
        [errorApiRef, mockApis.error()],
      ]}
    >
      <MockEntityListContextProvider
        value={{ filters: filters as any, totalItems, entities: [] }}
      >
        <Title />
      </MockEntityListContextProvider>
    </TestApiProvider>,
  );
}

describe('the catalog table title', () => {
  it('reads as Backstage wrote it in English', () => {
    renderTitle(
      {
        user: { value: 'owned' },
        kind: new EntityKindFilter('component', 'Component'),
      },
      2,
    );
    expect(screen.getByText('Owned Components (2)')).toBeInTheDocument();
  });

  it('names the sub-type and a kind opsdeck has no word for', () => {
    renderTitle(
      {
        user: { value: 'all' },
        kind: new EntityKindFilter('widget', 'Widget'),
        type: { value: 'service' },
      },
      5,
    );
    expect(screen.getByText('All service Widgets (5)')).toBeInTheDocument();
  });

  it('has a zh-CN text for every English message of the app', () => {
    const english = Object.keys(
      (appTranslationRef as any).getDefaultMessages(),
    ).sort();
    expect(Object.keys(zhCN).sort()).toEqual(english);
  });
});
