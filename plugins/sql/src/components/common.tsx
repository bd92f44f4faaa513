import { useEffect, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { MenuItem, TextField } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { Finding, Instance, Review, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { serverErrorMessage } from '@opsdeck/plugin-opsdeck-common';

/**
 * A failed call in the reader's language (the response's error code), else
 * the backend's own message (ResponseError keeps it in body).
 */
export function errorMessage(error: Error): string {
  return serverErrorMessage(error);
}

/** The server's own words (the error body's message), else the error's. */
function serverMessage(error: Error): string {
  const body = (error as { body?: { error?: { message?: unknown } } }).body
    ?.error;
  return typeof body?.message === 'string' ? body.message : error.message;
}

export function ErrorAlert(props: { error?: Error }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  if (!props.error) return null;
  const message = errorMessage(props.error);
  // the console and review name the rule that refused a statement (read from
  // the server's words: errorMessage puts a 400 in the reader's language)
  const refused = /^Refused by ([a-z-]+): ([\s\S]*)$/.exec(
    serverMessage(props.error),
  );
  return (
    <Alert severity="error" style={{ marginTop: 8, whiteSpace: 'pre-wrap' }}>
      {refused
        ? t('errors.refused', { rule: refused[1], detail: refused[2] })
        : t('errors.generic', { message })}
    </Alert>
  );
}

/** Instance picker (optionally only SQL engines) with the database field. */
export function InstancePicker(props: {
  client: SqlClient;
  value?: Instance;
  onChange(instance: Instance): void;
  sqlOnly?: boolean;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [instances, setInstances] = useState<Instance[]>([]);
  const [error, setError] = useState<Error>();
  useEffect(() => {
    props.client.instances().then(setInstances, setError);
  }, [props.client]);
  const shown = instances.filter(
    i => !props.sqlOnly || (i.engine !== 'redis' && i.engine !== 'mongodb'),
  );
  return (
    <>
      <TextField
        id="sql-instance"
        select
        label={t('fields.instance')}
        value={props.value?.ref ?? ''}
        onChange={e => {
          const found = shown.find(i => i.ref === e.target.value);
          if (found) props.onChange(found);
        }}
        style={{ minWidth: 320, marginRight: 16 }}
        inputProps={{ 'aria-label': t('fields.instance') }}
      >
        {shown.map(i => (
          <MenuItem key={i.ref} value={i.ref}>
            {i.name} ({i.engine}, {i.environment ?? '-'})
          </MenuItem>
        ))}
      </TextField>
      <ErrorAlert error={error} />
    </>
  );
}

export function FindingsList(props: { review: Review }) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const { review } = props;
  if (review.findings.length === 0) {
    return <Alert severity="success">{t('review.noFindings')}</Alert>;
  }
  return (
    <div>
      {review.findings.map((f: Finding, i) => (
        <Alert
          key={i}
          severity={f.level === 'error' ? 'error' : 'warning'}
          style={{ marginTop: 4 }}
        >
          <strong>[{f.rule}]</strong>{' '}
          {f.statementIndex === null
            ? t('review.script')
            : t('review.statement', { n: String(f.statementIndex + 1) })}
          : {f.message}
        </Alert>
      ))}
    </div>
  );
}
