import {
  createContext,
  FormEvent,
  useCallback,
  useContext,
  useEffect,
  useState,
} from 'react';
import { ProxiedSignInPage } from '@backstage/core-components';
import {
  configApiRef,
  discoveryApiRef,
  IdentityApi,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  postLogout,
  SESSION_ENDED_KEY,
  SessionCookieIdentity,
} from './identity';
import { opsdeckSignInTranslationRef } from './translation';

/** Auth provider id registered by localAuthProviderModule. */
export const OPSDECK_PROVIDER_ID = 'opsdeck';
/** Password of the demo accounts shown when opsdeck.localAuth.demoHint is on. */
export const DEMO_PASSWORD = 'opsdeck-demo';
const DEMO_USERS = [
  { name: 'alice', role: 'admin' },
  { name: 'bob', role: 'ops' },
  { name: 'carol', role: 'dba' },
  { name: 'dave', role: 'dev' },
  { name: 'quinn', role: 'devQa' },
  { name: 'erin', role: 'viewerSecurity' },
  { name: 'victor', role: 'noRole' },
] as const;

const useStyles = makeStyles(theme => ({
  root: {
    minHeight: '100vh',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(2),
    background: `linear-gradient(135deg, ${theme.palette.background.default} 0%, ${theme.palette.action.hover} 100%)`,
  },
  card: { width: '100%', maxWidth: 400 },
  brand: {
    fontWeight: 700,
    letterSpacing: '-0.02em',
    color: theme.palette.primary.main,
  },
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  },
  demo: { width: '100%', maxWidth: 400 },
  demoList: { margin: theme.spacing(1, 0), paddingLeft: theme.spacing(3) },
}));

type Phase =
  /** ProxiedSignInPage is asking GET /api/auth/opsdeck/refresh. */
  { kind: 'refresh'; attempt: number; afterLogin: boolean } | { kind: 'form' };

type ErrorLike = Error & {
  statusCode?: number;
  cause?: { name?: string; message?: string };
};

/** How ProxiedSignInPage's ErrorComponent reports back to the page. */
const RefreshErrorContext = createContext<(error?: Error) => void>(() => {});

function ReportRefreshError(props: { error?: Error }) {
  const report = useContext(RefreshErrorContext);
  useEffect(() => report(props.error), [report, props.error]);
  return null;
}

/**
 * opsdeck's sign-in page: tries the existing session cookie first, otherwise
 * shows a username/password form that posts to /api/local-auth/login and then
 * signs in through the `opsdeck` proxy provider.
 */
export function OpsdeckSignInPage(props: SignInPageProps) {
  const { onSignInSuccess } = props;
  const classes = useStyles();
  const { t } = useTranslationRef(opsdeckSignInTranslationRef);
  const discoveryApi = useApi(discoveryApiRef);
  const configApi = useApi(configApiRef);
  const demoHint =
    configApi.getOptionalBoolean('opsdeck.localAuth.demoHint') ?? false;

  const [phase, setPhase] = useState<Phase>({
    kind: 'refresh',
    attempt: 0,
    afterLogin: false,
  });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [message, setMessage] = useState<string>();

  // Signed out by the session check (identity.ts): say why, once.
  useEffect(() => {
    try {
      if (window.sessionStorage.getItem(SESSION_ENDED_KEY)) {
        window.sessionStorage.removeItem(SESSION_ENDED_KEY);
        setMessage(t('errors.sessionEnded'));
      }
    } catch {
      // no storage: nothing to say
    }
  }, [t]);

  const afterLogin = phase.kind === 'refresh' && phase.afterLogin;

  const handleIdentity = useCallback(
    (identity: IdentityApi) => {
      const wrapped = new SessionCookieIdentity(
        identity,
        async () => postLogout(await discoveryApi.getBaseUrl('local-auth')),
        async () => `${await discoveryApi.getBaseUrl('local-auth')}/me/session`,
      );
      wrapped.watchSession();
      onSignInSuccess(wrapped);
    },
    [onSignInSuccess, discoveryApi],
  );

  const handleRefreshError = useCallback(
    (error?: Error) => {
      const e = error as ErrorLike | undefined;
      // No or expired cookie on the silent attempt: just show the form.
      const noSession = e?.statusCode === 401;
      if (afterLogin || !noSession) {
        setMessage(
          t('errors.signInFailed', {
            message: e?.cause?.message ?? e?.message ?? String(error),
          }),
        );
      }
      setPassword('');
      setPhase({ kind: 'form' });
    },
    [afterLogin, t],
  );

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      setMessage(t('errors.missingFields'));
      return;
    }
    setSubmitting(true);
    setMessage(undefined);
    try {
      const baseUrl = await discoveryApi.getBaseUrl('local-auth');
      const response = await fetch(`${baseUrl}/login`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: username.trim(), password }),
      });
      if (response.ok) {
        setPhase(previous => ({
          kind: 'refresh',
          attempt: (previous.kind === 'refresh' ? previous.attempt : 0) + 1,
          afterLogin: true,
        }));
        return;
      }
      const body = await response.json().catch(() => undefined);
      if (response.status === 429) {
        setMessage(t('errors.throttled'));
      } else if (response.status === 401) {
        setMessage(t('errors.invalidCredentials'));
      } else {
        setMessage(
          t('errors.unexpected', {
            message: body?.error?.message ?? `HTTP ${response.status}`,
          }),
        );
      }
      setPassword('');
    } catch (error) {
      setMessage(t('errors.unexpected', { message: (error as Error).message }));
    } finally {
      setSubmitting(false);
    }
  };

  if (phase.kind === 'refresh') {
    return (
      <RefreshErrorContext.Provider value={handleRefreshError}>
        <Box className={classes.root} aria-busy="true">
          <Typography variant="body2" color="textSecondary">
            {t('checkingSession')}
          </Typography>
          <Box width={240}>
            <ProxiedSignInPage
              key={phase.attempt}
              provider={OPSDECK_PROVIDER_ID}
              onSignInSuccess={handleIdentity}
              ErrorComponent={ReportRefreshError}
            />
          </Box>
        </Box>
      </RefreshErrorContext.Provider>
    );
  }

  return (
    <Box className={classes.root} component="main">
      <Card className={classes.card} elevation={4}>
        <CardContent>
          <Typography variant="h4" component="h1" className={classes.brand}>
            opsdeck
          </Typography>
          <Typography variant="subtitle1" color="textSecondary">
            {t('subtitle')}
          </Typography>
          <Typography variant="h6" component="h2" style={{ marginTop: 16 }}>
            {t('title')}
          </Typography>
          <form className={classes.form} onSubmit={handleSubmit} noValidate>
            <TextField
              id="opsdeck-sign-in-username"
              label={t('usernameLabel')}
              name="username"
              autoComplete="username"
              variant="outlined"
              value={username}
              onChange={e => setUsername(e.target.value)}
              disabled={submitting}
            />
            <TextField
              id="opsdeck-sign-in-password"
              label={t('passwordLabel')}
              name="password"
              type="password"
              autoComplete="current-password"
              variant="outlined"
              value={password}
              onChange={e => setPassword(e.target.value)}
              disabled={submitting}
            />
            {message && (
              <Typography role="alert" color="error" variant="body2">
                {message}
              </Typography>
            )}
            {submitting && <LinearProgress />}
            <Button
              type="submit"
              variant="contained"
              color="primary"
              size="large"
              disabled={submitting}
            >
              {t('signInButton')}
            </Button>
          </form>
        </CardContent>
      </Card>
      {demoHint && (
        <Card
          className={classes.demo}
          variant="outlined"
          component="aside"
          aria-label={t('demo.title')}
        >
          <CardContent>
            <Typography variant="subtitle2" component="h2">
              {t('demo.title')}
            </Typography>
            <ul className={classes.demoList}>
              {DEMO_USERS.map(user => (
                <li key={user.name}>
                  <Typography variant="body2">
                    <code>{user.name}</code> — {t(`demo.roles.${user.role}`)}
                  </Typography>
                </li>
              ))}
            </ul>
            <Typography variant="body2">
              {t('demo.password', { password: DEMO_PASSWORD })}
            </Typography>
          </CardContent>
        </Card>
      )}
    </Box>
  );
}
