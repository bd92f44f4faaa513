import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { CmdbClient } from '../api/CmdbClient';
import { cmdbTranslationRef } from '../translation/translation';
import { messageOf, statusOf } from './format';
import { PendingHostKey } from './PendingHostKey';

type ResetState =
  | { status: 'idle' }
  | { status: 'confirming' }
  | { status: 'running' }
  | { status: 'done' }
  | { status: 'failed'; error: Error };

/**
 * The SSH host key pinned for the host, with "Forget host key" for admins
 * (after a planned reinstall, when connections are refused as a changed key).
 * `version` reloads it (a collection may have pinned a key).
 */
export function HostKeyFact(props: {
  client: CmdbClient;
  name: string;
  version: number;
  onReset: () => void;
}) {
  const { t } = useTranslationRef(cmdbTranslationRef);
  const { client, name, version, onReset } = props;
  const [resetVersion, setResetVersion] = useState(0);
  const [reset, setReset] = useState<ResetState>({ status: 'idle' });
  const [decided, setDecided] = useState<'accept' | 'reject'>();
  const key = useAsync(
    () => client.getHostKey(name),
    [client, name, version, resetVersion],
  );

  const onConfirm = async () => {
    setReset({ status: 'running' });
    try {
      await client.resetHostKey(name);
      setReset({ status: 'done' });
    } catch (error) {
      setReset({ status: 'failed', error: error as Error });
    }
    setResetVersion(v => v + 1);
    onReset();
  };

  if (!key.value) return null; // readers without the permission saw the card's error
  const { hostId, fingerprint, pending } = key.value;
  const keyChanged = (action: 'accept' | 'reject') => {
    setDecided(action);
    setResetVersion(v => v + 1);
    onReset();
  };
  return (
    <Box py={0.5} data-testid="host-key">
      <Box display="flex">
        <Box width={140} flexShrink={0}>
          <Typography variant="body2" color="textSecondary" component="dt">
            {t('card.hostKey')}
          </Typography>
        </Box>
        <Typography
          variant="body2"
          component="dd"
          style={{ margin: 0, wordBreak: 'break-all' }}
        >
          {fingerprint ? (
            <code>{fingerprint}</code>
          ) : (
            t('card.hostKeyNotPinned')
          )}
          {fingerprint && reset.status !== 'confirming' && (
            <Button
              size="small"
              color="secondary"
              onClick={() => setReset({ status: 'confirming' })}
              disabled={reset.status === 'running'}
            >
              {t('card.forgetHostKey')}
            </Button>
          )}
        </Typography>
      </Box>
      {reset.status === 'confirming' && (
        <Alert
          severity="warning"
          action={
            <>
              <Button color="inherit" size="small" onClick={onConfirm}>
                {t('card.forgetHostKeyConfirmButton')}
              </Button>
              <Button
                color="inherit"
                size="small"
                onClick={() => setReset({ status: 'idle' })}
              >
                {t('card.cancel')}
              </Button>
            </>
          }
        >
          {t('card.forgetHostKeyConfirm', { hostId })}
        </Alert>
      )}
      {pending && !fingerprint && (
        <PendingHostKey
          client={client}
          name={name}
          pending={pending}
          onDone={keyChanged}
        />
      )}
      {decided && (
        <Alert severity="success">
          {decided === 'accept'
            ? t('card.hostKeyAccepted')
            : t('card.hostKeyRejected')}
        </Alert>
      )}
      {reset.status === 'done' && (
        <Alert severity="success">{t('card.hostKeyForgotten')}</Alert>
      )}
      {reset.status === 'failed' && (
        <Alert severity="error">
          {statusOf(reset.error) === 403
            ? t('errors.forbiddenHostKeyReset')
            : t('errors.generic', { message: messageOf(reset.error) })}
        </Alert>
      )}
    </Box>
  );
}
