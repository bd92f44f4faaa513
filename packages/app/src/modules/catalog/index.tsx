import { useMemo } from 'react';
import {
  createFrontendModule,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { catalogTranslationRef } from '@backstage/plugin-catalog/alpha';
import { CellText, Table, useTable } from '@backstage/ui';
import Typography from '@material-ui/core/Typography';
import { appTranslationRef } from '../../translation/appTranslation';

const PAGE_SIZES = [5, 10, 20];

/**
 * The entity's labels, as Backstage's labels card shows them, with its pager
 * in the user's language (Backstage's table writes "Show 5 results" and
 * "1 - 5 of 7" as fixed English).
 */
export function OpsdeckEntityLabelsCard() {
  const { entity } = useEntity();
  const { t: tc } = useTranslationRef(catalogTranslationRef);
  const { t } = useTranslationRef(appTranslationRef);
  const data = useMemo(
    () =>
      Object.entries(entity.metadata.labels ?? {}).map(([key, value]) => ({
        id: key,
        key,
        value,
      })),
    [entity],
  );
  const columnConfig = useMemo(
    () => [
      {
        id: 'key',
        label: tc('entityLabelsCard.columnKeyLabel'),
        isRowHeader: true,
        cell: (item: { key: string }) => <CellText title={item.key} />,
      },
      {
        id: 'value',
        label: tc('entityLabelsCard.columnValueLabel'),
        cell: (item: { value: string }) => <CellText title={item.value} />,
      },
    ],
    [tc],
  );
  const { tableProps } = useTable({
    mode: 'complete',
    data,
    paginationOptions: {
      pageSize: PAGE_SIZES[0],
      pageSizeOptions: PAGE_SIZES.map(value => ({
        value,
        label: t('table.pageSize', { count: value }),
      })),
      getLabel: ({ pageSize, offset = 0, totalCount = 0 }) =>
        t('table.range', {
          from: String(totalCount === 0 ? 0 : offset + 1),
          to: String(Math.min(offset + pageSize, totalCount)),
          total: String(totalCount),
        }),
    },
  });
  return (
    <EntityInfoCard title={tc('entityLabelsCard.title')}>
      {data.length === 0 ? (
        <Typography variant="body1">
          {tc('entityLabelsCard.emptyDescription')}
        </Typography>
      ) : (
        <Table columnConfig={columnConfig} {...tableProps} />
      )}
    </EntityInfoCard>
  );
}

/** Catalog module: the labels card above in place of Backstage's (same extension name). */
export const catalogLabelsModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [
    EntityCardBlueprint.make({
      name: 'labels',
      params: {
        type: 'info',
        filter: { 'metadata.labels': { $exists: true } },
        loader: async () => <OpsdeckEntityLabelsCard />,
      },
    }),
  ],
});
