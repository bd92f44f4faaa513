import { useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { cmdbHostCollectPermission } from '@opsdeck/plugin-opsdeck-common';
import { Box, Button, LinearProgress } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { CmdbClient } from '../api/CmdbClient';
import type { CollectResult } from '../api/types';
import { cmdbTranslationRef } from '../translation/translation';
import { messageOf, statusOf } from './format';

/**
 * "Collect all" and "Collect selected" on the Hosts page: shown only to
 * people with `opsdeck.cmdb.host.collect`; while the run lasts a progress
 * bar, then the counts and one line per host.
 */
export function CollectHostsBar(props: {
  client: Pick<CmdbClient, 'collect'>;
  selected: string[];
  onCollected: () => void;
}) {
  const { client, selected, onCollected } = props;
  const { t } = useTranslationRef(cmdbTranslationRef);
  const { allowed } = usePermission({ permission: cmdbHostCollectPermission });
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<CollectResult | undefined>();
  const [error, setError] = useState<string | undefined>();

  if (!allowed) return null;

  const run = async (names?: string[]) => {
    setRunning(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await client.collect(names));
      onCollected();
    } catch (e) {
      setError(
        statusOf(e) === 403
          ? t('collect.forbidden')
          : t('collect.failed', { message: messageOf(e) }),
      );
    } finally {
      setRunning(false);
    }
  };

  return (
    <Box mb={2} data-testid="collect-hosts">
      <Box display="flex" style={{ gap: 8 }} mb={1}>
        <Button
          variant="outlined"
          color="primary"
          disabled={running}
          onClick={() => run()}
        >
          {t('collect.all')}
        </Button>
        <Button
          variant="outlined"
          disabled={running || selected.length === 0}
          onClick={() => run(selected)}
        >
          {t('collect.selected', { count: selected.length })}
        </Button>
      </Box>
      {running && (
        <Box>
          <LinearProgress aria-label={t('collect.running')} />
          {t('collect.running')}
        </Box>
      )}
      {error && <Alert severity="error">{error}</Alert>}
      {result && (
        <Alert
          severity={result.unreachable > 0 ? 'warning' : 'success'}
          role="status"
        >
          <div>
            {t('collect.done', {
              hosts: String(result.hosts),
              reachable: String(result.reachable),
              unreachable: String(result.unreachable),
            })}
          </div>
          <ul data-testid="collect-results">
            {result.items.map(item => (
              <li key={item.name}>
                {item.reachable
                  ? t('collect.hostReachable', { name: item.name })
                  : t('collect.hostUnreachable', {
                      name: item.name,
                      error: item.error ?? '',
                    })}
              </li>
            ))}
          </ul>
        </Alert>
      )}
    </Box>
  );
}
