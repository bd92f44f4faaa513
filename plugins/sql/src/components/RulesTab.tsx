import { useEffect, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type { Rule, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert } from './common';

/** Documents every review rule. */
export function RulesTab(props: { client: SqlClient }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [rules, setRules] = useState<Rule[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    props.client.rules().then(setRules, setError);
  }, [props.client]);
  return (
    <Box mt={2}>
      <Typography variant="body2">{t('rules.intro')}</Typography>
      <ErrorAlert error={error} />
      <Table size="small" aria-label={t('tabs.rules')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('rules.id')}</TableCell>
            <TableCell>{t('rules.level')}</TableCell>
            <TableCell>{t('rules.description')}</TableCell>
            <TableCell>{t('rules.options')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rules?.map(r => (
            <TableRow key={r.id}>
              <TableCell>
                <strong>{r.title}</strong>
                <br />
                <code>{r.id}</code>
              </TableCell>
              <TableCell>
                {(t as unknown as (key: string) => string)(
                  `level.${r.defaultLevel}`,
                )}
              </TableCell>
              <TableCell>
                {r.description}
                {r.usesInstance ? ` (${t('rules.instance')})` : ''}
              </TableCell>
              <TableCell>
                {Object.entries(r.options ?? {})
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
