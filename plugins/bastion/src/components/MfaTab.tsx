import { Box, Button, TextField, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  formatTime,
  Loaded,
  Outcome,
  OutcomeAlert,
  SingleFieldForm,
  useT,
} from './common';
import { messageOf, useBastionClient } from './useBastion';

/** Runs an action and reports its outcome: `success` text, or the error's message. */
async function reporting(
  setOutcome: (o: Outcome) => void,
  action: () => Promise<unknown>,
  success?: string,
) {
  try {
    await action();
    if (success !== undefined) setOutcome({ ok: true, text: success });
  } catch (e) {
    setOutcome({ ok: false, text: messageOf(e) });
  }
}

/** The caller's TOTP: enrol, verify (step-up), replace; admins also reset others. */
export function MfaTab() {
  const t = useT();
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.mfaStatus(), [client]);
  const [enrolment, setEnrolment] = useState<{
    secret: string;
    qrCode: string;
  }>();
  const [code, setCode] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  // (Re-)enrolment binds an authenticator to the account: it asks for the sign-in password.
  const [password, setPassword] = useState('');
  const enrol = () =>
    reporting(setOutcome, async () => {
      setEnrolment(await client.enrolMfa(password));
      setPassword('');
    });
  const [resetCode, setResetCode] = useState('');
  const reset = () =>
    reporting(
      setOutcome,
      async () => {
        setEnrolment(await client.resetMfa(resetCode.trim(), password));
        setPassword('');
        setResetCode('');
        setCode('');
        state.retry();
      },
      t('mfa.resetDone'),
    );
  const verify = () =>
    reporting(
      setOutcome,
      async () => {
        await client.verifyMfa(code);
        setEnrolment(undefined);
        state.retry();
      },
      t('mfa.confirmed'),
    );
  return (
    <Loaded state={state}>
      {s => (
        <Box
          display="flex"
          flexDirection="column"
          style={{ gap: 12 }}
          maxWidth={560}
        >
          {!s.available && (
            <Alert severity="warning">{t('mfa.unavailable')}</Alert>
          )}
          <Typography>
            {s.enrolled ? t('mfa.enrolled') : t('mfa.notEnrolled')}{' '}
            {s.verifiedUntil &&
              t('mfa.verifiedUntil', { time: formatTime(s.verifiedUntil) })}
          </Typography>
          <Typography variant="body2">
            {t('mfa.required', {
              envs: s.requiredEnvironments.join(', '),
              minutes: String(s.windowMinutes),
            })}
          </Typography>
          {s.available && !enrolment && (
            <TextField
              id="bastion-mfa-password"
              label={t('mfa.password')}
              helperText={t('mfa.passwordHelp')}
              type="password"
              autoComplete="current-password"
              variant="outlined"
              size="small"
              value={password}
              onChange={e => setPassword(e.target.value)}
            />
          )}
          {!s.enrolled && s.available && !enrolment && (
            <Button
              variant="contained"
              color="primary"
              onClick={enrol}
              disabled={!password}
            >
              {t('mfa.enrol')}
            </Button>
          )}
          {enrolment && (
            <>
              <Typography variant="body2">{t('mfa.scan')}</Typography>
              <img
                src={enrolment.qrCode}
                alt="TOTP QR code"
                width={220}
                height={220}
              />
              <Typography>
                {t('mfa.secret')}:{' '}
                <code data-testid="totp-secret">{enrolment.secret}</code>
              </Typography>
            </>
          )}
          {(enrolment || s.enrolled) && (
            <SingleFieldForm
              id="bastion-mfa-code"
              label={t('access.codeLabel')}
              value={code}
              onChange={setCode}
              submitLabel={t('access.verify')}
              onSubmit={verify}
            />
          )}
          <OutcomeAlert outcome={outcome} />
          {s.enrolled && s.available && !enrolment && (
            <SingleFieldForm
              id="bastion-mfa-reset-code"
              title={t('mfa.resetTitle')}
              help={t('mfa.resetHelp')}
              label={t('mfa.currentCode')}
              value={resetCode}
              onChange={setResetCode}
              submitLabel={t('mfa.reset')}
              secondary
              onSubmit={reset}
            />
          )}
          {s.canResetOthers && <AdminMfaReset />}
        </Box>
      )}
    </Loaded>
  );
}

/** Admins forget another user's enrolment; that user enrols again. */
function AdminMfaReset() {
  const t = useT();
  const client = useBastionClient();
  const [user, setUser] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const submit = () => {
    const userRef = user.trim();
    return reporting(
      setOutcome,
      async () => {
        await client.adminResetMfa(userRef);
        setUser('');
      },
      t('mfa.adminDone', { user: userRef }),
    );
  };
  return (
    <SingleFieldForm
      id="bastion-mfa-admin-user"
      title={t('mfa.adminTitle')}
      help={t('mfa.adminHelp')}
      label={t('mfa.adminUser')}
      value={user}
      onChange={setUser}
      submitLabel={t('mfa.adminReset')}
      secondary
      onSubmit={submit}
    >
      <OutcomeAlert outcome={outcome} />
    </SingleFieldForm>
  );
}
