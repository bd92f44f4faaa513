import { Button } from '@material-ui/core';
import { useEffect } from 'react';
import type { Review } from '../api/BastionClient';
import { DataTable, ErrorAlert, Loaded, useEditableList, useT } from './common';
import { formatTime } from '@opsdeck/plugin-opsdeck-common';

/**
 * Commands held by a review rule: the approver allows or denies each one (never their own);
 * the list refreshes every few seconds while open.
 */
export function ReviewsTab() {
  const t = useT();
  const { client, state, error, attempt } = useEditableList(c =>
    c.listReviews('pending'),
  );
  useEffect(() => {
    const timer = setInterval(() => state.retry(), 3000);
    return () => clearInterval(timer);
  }, [state]);
  const decide = async (r: Review, decision: 'approve' | 'deny') => {
    await attempt(() => client.decideReview(r.id, decision));
    state.retry();
  };
  return (
    <>
      <ErrorAlert error={error} />
      <Loaded state={state}>
        {v => (
          <DataTable
            items={v.items}
            rowKey={r => r.id}
            columns={[
              { title: t('common.user'), cell: r => r.requestedBy },
              { title: t('common.host'), cell: r => r.host },
              {
                title: t('reviews.command'),
                cell: r => <code>{r.command}</code>,
              },
              { title: t('reviews.rule'), cell: r => r.ruleName ?? '' },
              {
                title: t('reviews.expires'),
                cell: r => formatTime(r.expiresAt),
              },
              {
                title: t('common.actions'),
                cell: r => (
                  <>
                    <Button
                      size="small"
                      color="primary"
                      onClick={() => decide(r, 'approve')}
                    >
                      {t('reviews.approve')}
                    </Button>
                    <Button size="small" onClick={() => decide(r, 'deny')}>
                      {t('reviews.deny')}
                    </Button>
                  </>
                ),
              },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}
