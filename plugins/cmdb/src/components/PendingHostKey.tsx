import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cmdbHostKeyAcceptPermission,
  formatDateTime,
  serverErrorMessage,
  type ErrorCodeTexts,
} from '@opsdeck/plugin-opsdeck-common';
import { Box, Button } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useMemo, useState } from 'react';
import { CmdbClient } from '../api/CmdbClient';
import { cmdbTranslationRef } from '../translation/translation';
import { statusOf } from './format';

type State =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'failed'; error: Error };

/**
 * The host key a host offered at first contact of a password login: nothing
 * was sent to it. Admins compare the fingerprint with the host and accept it
 * (then opsdeck pins it and may send the password) or reject it.
 */
export function PendingHostKey(props: {
  client: CmdbClient;
  name: string;
  pending: { fingerprint: string; offeredAt: string };
  onDone: (action: 'accept' | 'reject') => void;
}) {
  const { t } = useTranslationRef(cmdbTranslationRef);
  const { client, name, pending, onDone } = props;
  const { allowed } = usePermission({
    permission: cmdbHostKeyAcceptPermission,
  });
  const [state, setState] = useState<State>({ status: 'idle' });
  const texts = useMemo<ErrorCodeTexts>(
    () => ({
      'cmdb-host-key-changed': e =>
        t('errors.codes.hostKeyChanged', { offered: String(e.offered ?? '') }),
      'cmdb-host-key-none-pending': e =>
        t('errors.codes.hostKeyNonePending', {
          hostId: String(e.hostId ?? ''),
        }),
    }),
    [t],
  );

  const act = async (action: 'accept' | 'reject') => {
    setState({ status: 'running' });
    try {
      if (action === 'accept') {
        await client.acceptHostKey(name, pending.fingerprint);
      } else {
        await client.rejectHostKey(name);
      }
      setState({ status: 'idle' });
      onDone(action);
    } catch (error) {
      setState({ status: 'failed', error: error as Error });
    }
  };

  return (
    <Box data-testid="host-key-pending">
      <Alert
        severity="warning"
        action={
          allowed && (
            <>
              <Button
                color="inherit"
                size="small"
                disabled={state.status === 'running'}
                onClick={() => act('accept')}
              >
                {t('card.acceptHostKey')}
              </Button>
              <Button
                color="inherit"
                size="small"
                disabled={state.status === 'running'}
                onClick={() => act('reject')}
              >
                {t('card.rejectHostKey')}
              </Button>
            </>
          )
        }
      >
        {t('card.hostKeyPending', {
          fingerprint: pending.fingerprint,
          time: formatDateTime(pending.offeredAt),
        })}
      </Alert>
      {state.status === 'failed' && (
        <Alert severity="error">
          {statusOf(state.error) === 403
            ? t('errors.forbiddenHostKeyAccept')
            : serverErrorMessage(state.error, { texts })}
        </Alert>
      )}
    </Box>
  );
}
