import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import { usePermission } from '@backstage/plugin-permission-react';
import { sqlReviewPermission } from '@opsdeck/plugin-opsdeck-common';
import type { Instance, Review, SqlClient } from '../api/SqlClient';
import { sqlTranslationRef } from '../translation/translation';
import { ErrorAlert, FindingsList, InstancePicker } from './common';

/** Write SQL, review it against the instance, submit it for approval. */
export function SubmitTab(props: {
  client: SqlClient;
  onSubmitted(id: string): void;
}) {
  const { t } = useTranslationRef(sqlTranslationRef);
  const [instance, setInstance] = useState<Instance>();
  const [database, setDatabase] = useState('');
  const [title, setTitle] = useState('');
  const [sql, setSql] = useState('');
  const [reason, setReason] = useState('');
  const [review, setReview] = useState<Review>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const db = database.trim() || undefined;
  // reviewing asks the live instance: only those who may review see the button work
  const reviewing = usePermission({ permission: sqlReviewPermission });

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box mt={2}>
      <Box display="flex" alignItems="center">
        <InstancePicker
          client={props.client}
          value={instance}
          sqlOnly
          onChange={i => {
            setInstance(i);
            setDatabase(i.database ?? '');
          }}
        />
        <TextField
          id="sql-submit-database"
          label={t('fields.database')}
          value={database}
          onChange={e => setDatabase(e.target.value)}
        />
      </Box>
      <TextField
        id="sql-submit-title"
        fullWidth
        required
        label={t('fields.title')}
        value={title}
        onChange={e => setTitle(e.target.value)}
        margin="normal"
      />
      <TextField
        id="sql-submit-sql"
        fullWidth
        required
        multiline
        minRows={6}
        label={t('fields.sql')}
        value={sql}
        onChange={e => {
          setSql(e.target.value);
          setReview(undefined);
        }}
        margin="normal"
        InputProps={{ style: { fontFamily: 'monospace' } }}
      />
      <Button
        variant="outlined"
        disabled={!instance || !sql.trim() || busy || !reviewing.allowed}
        onClick={() =>
          run(async () =>
            setReview(
              await props.client.review({
                instanceRef: instance!.ref,
                database: db,
                sql,
              }),
            ),
          )
        }
      >
        {t('actions.review')}
      </Button>
      {!reviewing.loading && !reviewing.allowed && (
        <Typography variant="body2" color="textSecondary">
          {t('review.notAllowed')}
        </Typography>
      )}
      {review && (
        <Box mt={2}>
          <FindingsList review={review} />
          {review.errors === 0 && (
            <>
              {review.warnings > 0 && (
                <TextField
                  id="sql-submit-reason"
                  fullWidth
                  label={t('fields.reason')}
                  value={reason}
                  onChange={e => setReason(e.target.value)}
                  margin="normal"
                />
              )}
              <Box mt={1}>
                <Button
                  variant="contained"
                  color="primary"
                  disabled={
                    busy ||
                    !title.trim() ||
                    (review.warnings > 0 && !reason.trim())
                  }
                  onClick={() =>
                    run(async () => {
                      const change = await props.client.submit({
                        instanceRef: instance!.ref,
                        database: db,
                        title,
                        sql,
                        reason: reason.trim() || undefined,
                      });
                      props.onSubmitted(change.id);
                    })
                  }
                >
                  {t('actions.submit')}
                </Button>
              </Box>
            </>
          )}
        </Box>
      )}
      <ErrorAlert error={error} />
    </Box>
  );
}
