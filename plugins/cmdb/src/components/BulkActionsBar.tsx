import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  bastionSessionOpenPermission,
  jobsManagePermission,
  jobsRunPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { useAllowed } from '@opsdeck/plugin-opsdeck-common/react';
import { Box, Button } from '@material-ui/core';
import { useNavigate } from 'react-router-dom';
import { cmdbTranslationRef } from '../translation/translation';

/** The jobs page; `?adhoc=<names>` opens its "Run a command" dialog on them. */
export const JOBS_PATH = '/jobs';
/** The bastion's My assets; `?open=<names>` opens a terminal tab on each. */
export const MY_ASSETS_PATH = '/bastion/assets';
/** At most this many terminals are opened at once. */
export const MAX_TERMINALS = 10;

/** `/jobs?adhoc=a,b`: the jobs ad-hoc dialog with these hosts selected. */
export function runCommandPath(names: string[]) {
  return `${JOBS_PATH}?${new URLSearchParams({ adhoc: names.join(',') })}`;
}

/** `/bastion/assets?open=a,b`: My assets with a terminal tab per host. */
export function openTerminalsPath(names: string[]) {
  return `${MY_ASSETS_PATH}?${new URLSearchParams({
    open: names.slice(0, MAX_TERMINALS).join(','),
  })}`;
}

/**
 * "Run a command" and "Open terminals" on the selected hosts; each shown only
 * to people who hold its permissions (the jobs' ad-hoc dialog needs
 * `opsdeck.jobs.job.manage` and `opsdeck.jobs.run`, a terminal
 * `opsdeck.bastion.session.open`). Both hand the selection to the page that
 * does the work: the jobs ad-hoc dialog, the bastion's terminal tabs.
 */
export function BulkActionsBar(props: { selected: string[] }) {
  const { selected } = props;
  const { t } = useTranslationRef(cmdbTranslationRef);
  const navigate = useNavigate();
  const manage = useAllowed(jobsManagePermission).allowed;
  const run = useAllowed(jobsRunPermission).allowed;
  const terminal = useAllowed(bastionSessionOpenPermission).allowed;
  if (!(manage && run) && !terminal) return null;
  const none = selected.length === 0;
  return (
    <Box display="flex" style={{ gap: 8 }} mb={1} data-testid="bulk-actions">
      {manage && run && (
        <Button
          variant="outlined"
          disabled={none}
          onClick={() => navigate(runCommandPath(selected))}
        >
          {t('bulk.runCommand', { count: selected.length })}
        </Button>
      )}
      {terminal && (
        <Button
          variant="outlined"
          disabled={none || selected.length > MAX_TERMINALS}
          title={
            selected.length > MAX_TERMINALS
              ? t('bulk.tooManyTerminals', { max: String(MAX_TERMINALS) })
              : undefined
          }
          onClick={() => navigate(openTerminalsPath(selected))}
        >
          {t('bulk.openTerminals', { count: selected.length })}
        </Button>
      )}
    </Box>
  );
}
