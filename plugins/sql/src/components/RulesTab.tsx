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
import type { ConsoleDenyList, Rule, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert } from './common';

const ENGINE_LABEL: Record<string, string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
};

/** The query console's deny-list: functions and clauses per engine, with the rule that refuses them. */
function DenyList(props: { denyList: ConsoleDenyList }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const tr = t as unknown as (key: string) => string;
  const { functions, clauses } = props.denyList;
  return (
    <Box mt={3}>
      <Typography variant="h6">{t('rules.consoleTitle')}</Typography>
      <Typography variant="body2">{t('rules.consoleIntro')}</Typography>
      <Table size="small" aria-label={t('rules.consoleTitle')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('rules.engine')}</TableCell>
            <TableCell>{t('rules.id')}</TableCell>
            <TableCell>{t('rules.denied')}</TableCell>
            <TableCell>{t('rules.description')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {functions.map(f => (
            <TableRow key={`${f.engine}-${f.family}`}>
              <TableCell>{ENGINE_LABEL[f.engine] ?? f.engine}</TableCell>
              <TableCell>
                <code>{f.rule}</code>
              </TableCell>
              <TableCell>
                <code>{f.names.map(n => `${n}()`).join(', ')}</code>
              </TableCell>
              <TableCell>{tr(`family.${f.family}`)}</TableCell>
            </TableRow>
          ))}
          {clauses.map(c => (
            <TableRow key={c.key}>
              <TableCell>{ENGINE_LABEL[c.engine] ?? c.engine}</TableCell>
              <TableCell>
                <code>read-only</code>
              </TableCell>
              <TableCell>
                <code>{c.clause}</code>
              </TableCell>
              <TableCell>{tr(`clause.${c.key}`)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/** Documents every review rule and the console's deny-list. */
export function RulesTab(props: { client: SqlClient }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [rules, setRules] = useState<Rule[]>();
  const [denyList, setDenyList] = useState<ConsoleDenyList>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    props.client.ruleBook().then(book => {
      setRules(book.rules);
      setDenyList(book.console);
    }, setError);
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
      {denyList && <DenyList denyList={denyList} />}
    </Box>
  );
}
