import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';
import type { JobRun } from '@opsdeck/plugin-jobs';
import { useLoad } from '../useLoad';
import { useWorkbenchClients } from '../clients';
import { workbenchTranslationRef } from '../translation';
import { CardState, LinkList, MoreLink } from './common';

const RECENT = 5;

/** Recent job runs, failed scheduled runs and schedules that paused themselves. */
export function JobsCard() {
  const { t } = useTranslationRef(workbenchTranslationRef);
  const clients = useWorkbenchClients();
  const data = useLoad(async () => {
    const [runs, failed, schedules] = await Promise.all([
      clients.jobs.listRuns({}),
      clients.jobs.listRuns({ status: 'failed' }),
      clients.jobs.listSchedules(),
    ]);
    return {
      recent: runs.slice(0, RECENT),
      failed: failed.filter(r => r.trigger === 'schedule').slice(0, RECENT),
      paused: schedules.filter(s => s.pausedReason),
    };
  }, [clients]);
  const runRow = (run: JobRun) => ({
    key: run.id,
    to: `/jobs/runs/${run.id}`,
    primary: run.jobName,
    secondary: `${t(`jobs.status.${run.status}`)} · ${t('jobs.hosts', {
      count: run.hostCount,
    })} · ${formatDateTime(run.createdAt)}`,
  });
  return (
    <CardState loading={data.loading || !data.value} error={data.error}>
      <LinkList
        testId="workbench-jobs-recent"
        label={t('jobs.recent')}
        empty={t('jobs.none')}
        items={(data.value?.recent ?? []).map(runRow)}
      />
      <LinkList
        testId="workbench-jobs-failed"
        label={t('jobs.failed')}
        empty={t('jobs.noneFailed')}
        items={(data.value?.failed ?? []).map(runRow)}
      />
      {data.value?.paused.length ? (
        <LinkList
          testId="workbench-jobs-paused"
          label={t('jobs.paused')}
          empty=""
          items={data.value.paused.map(s => ({
            key: s.id,
            to: '/jobs',
            primary: s.name,
            secondary: s.pausedReason,
          }))}
        />
      ) : null}
      <MoreLink to="/jobs" />
    </CardState>
  );
}
