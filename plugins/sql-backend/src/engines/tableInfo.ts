import type { TableInfo } from '../review/inspector';

/** One column of one index, as a driver reads it from its catalog. */
export interface IndexColumn {
  column: string;
  /** Part of the primary key. */
  primary: boolean;
  /** The index's first column. */
  leading: boolean;
}

/**
 * The review's view of a table from what both engines read alike:
 * information_schema.columns rows as `[name, data_type, length or
 * precision, is_nullable]` and the columns of its indexes.
 */
export function tableInfoFromCatalog(
  columnRows: (string | null)[][],
  indexes: IndexColumn[],
  estimatedRows: number,
): TableInfo {
  return {
    columns: columnRows.map(r => ({
      name: r[0]!,
      dataType: r[1]!.toLowerCase(),
      length: r[2] ? Number(r[2]) : undefined,
      nullable: r[3] === 'YES',
    })),
    primaryKey: indexes.filter(i => i.primary).map(i => i.column),
    indexLeadingColumns: indexes.filter(i => i.leading).map(i => i.column),
    estimatedRows,
  };
}
