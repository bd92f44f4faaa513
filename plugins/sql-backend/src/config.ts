import { Config } from '@backstage/config';
import {
  DEFAULT_MASKING_RULES,
  MaskKind,
  MaskingRule,
} from './console/masking';

export interface SqlConfig {
  limits: { maxRows: number; timeoutMs: number };
  maskingRules: MaskingRule[];
}

/**
 * `opsdeck.sql`: `console.maxRows` (default 1000), `console.timeoutSeconds`
 * (default 30), `masking.rules` (added to the built-in phone, ID number and
 * email rules): `[{ name, kind: phone|idcard|email|regex, columns?, pattern?, detectInValues? }]`.
 */
export function readSqlConfig(root: Config): SqlConfig {
  const c = root.getOptionalConfig('opsdeck.sql');
  const extra = (c?.getOptionalConfigArray('masking.rules') ?? []).map(r => {
    const kind = r.getString('kind') as MaskKind;
    if (!['phone', 'idcard', 'email', 'regex'].includes(kind)) {
      throw new Error(`opsdeck.sql.masking.rules: unknown kind '${kind}'`);
    }
    const pattern = r.getOptionalString('pattern');
    // fail at startup, not at query time
    if (pattern) RegExp(pattern);
    return {
      name: r.getString('name'),
      kind,
      columns: r.getOptionalString('columns'),
      pattern,
      detectInValues: r.getOptionalBoolean('detectInValues'),
    };
  });
  return {
    limits: {
      maxRows: c?.getOptionalNumber('console.maxRows') ?? 1000,
      timeoutMs: (c?.getOptionalNumber('console.timeoutSeconds') ?? 30) * 1000,
    },
    maskingRules: [...DEFAULT_MASKING_RULES, ...extra],
  };
}
