import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Content,
  Header,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import {
  Box,
  Button,
  MenuItem,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tabs,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { FormEvent, ReactNode, useState } from 'react';
import { Route, Routes } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { Session } from '../api/BastionClient';
import { bastionTranslationRef } from '../translation/translation';
import { ReplayPage } from './ReplayPage';
import { TerminalPage } from './TerminalPage';
import { messageOf, useBastionClient } from './useBastion';

const time = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

function useT() {
  return useTranslationRef(bastionTranslationRef).t;
}

function Loaded<T>(props: {
  state: { loading: boolean; error?: Error; value?: T };
  children(value: T): ReactNode;
}) {
  const t = useT();
  if (props.state.loading && !props.state.value) return <Progress />;
  if (props.state.error) {
    return (
      <Alert severity="error">
        {t('common.error', { message: props.state.error.message })}
      </Alert>
    );
  }
  return <>{props.children(props.state.value as T)}</>;
}

function SessionsTable(props: {
  items: Session[];
  admin?: boolean;
  onTerminate?(id: string): void;
}) {
  const t = useT();
  if (props.items.length === 0)
    return <Typography>{t('common.none')}</Typography>;
  return (
    <Table size="small" aria-label={t('tabs.sessions')}>
      <TableHead>
        <TableRow>
          <TableCell>{t('common.user')}</TableCell>
          <TableCell>{t('common.host')}</TableCell>
          <TableCell>{t('common.login')}</TableCell>
          <TableCell>{t('common.started')}</TableCell>
          <TableCell>{t('common.ended')}</TableCell>
          <TableCell>{t('common.reason')}</TableCell>
          <TableCell>{t('common.bytes')}</TableCell>
          {props.admin && <TableCell>{t('common.instance')}</TableCell>}
          <TableCell>{t('common.actions')}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.items.map(s => (
          <TableRow key={s.id} data-testid={`session-${s.id}`}>
            <TableCell>{s.userRef.replace(/^user:default\//, '')}</TableCell>
            <TableCell>{s.host}</TableCell>
            <TableCell>{s.loginUser}</TableCell>
            <TableCell>{time(s.startedAt)}</TableCell>
            <TableCell>{s.live ? t('common.live') : time(s.endedAt)}</TableCell>
            <TableCell>{s.endReason}</TableCell>
            <TableCell>{s.bytesOut}</TableCell>
            {props.admin && <TableCell>{s.instanceId}</TableCell>}
            <TableCell>
              <Box display="flex" style={{ gap: 8 }}>
                <Link to={`/bastion/sessions/${s.id}`}>
                  {t('common.replay')}
                </Link>
                {props.admin && s.live && (
                  <Link to={`/bastion/sessions/${s.id}?watch=1`}>
                    {t('common.watch')}
                  </Link>
                )}
                {props.onTerminate && s.live && (
                  <Button
                    size="small"
                    color="secondary"
                    variant="outlined"
                    onClick={() => props.onTerminate!(s.id)}
                  >
                    {t('common.terminate')}
                  </Button>
                )}
              </Box>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function SessionsTab() {
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.listSessions(), [client]);
  return (
    <Loaded state={state}>{v => <SessionsTable items={v.items} />}</Loaded>
  );
}

function LiveTab() {
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.listLive(), [client]);
  const [error, setError] = useState<string>();
  const terminate = async (id: string) => {
    try {
      await client.terminate(id);
      state.retry();
      // a session on another backend instance ends at that instance's next poll
      setTimeout(() => state.retry(), 2000);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <>
      {error && <Alert severity="error">{error}</Alert>}
      <Button size="small" onClick={() => state.retry()}>
        ↻
      </Button>
      <Loaded state={state}>
        {v => <SessionsTable items={v.items} admin onTerminate={terminate} />}
      </Loaded>
    </>
  );
}

function CommandsTab() {
  const t = useT();
  const client = useBastionClient();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState({ q: '' });
  const state = useAsyncRetry(
    () => client.searchCommands(query),
    [client, query],
  );
  return (
    <>
      <form
        onSubmit={e => {
          e.preventDefault();
          setQuery({ q });
        }}
      >
        <Box display="flex" style={{ gap: 8 }} mb={2}>
          <TextField
            id="bastion-command-query"
            size="small"
            variant="outlined"
            label={t('commands.query')}
            value={q}
            onChange={e => setQ(e.target.value)}
          />
          <Button type="submit" variant="outlined">
            {t('common.search')}
          </Button>
        </Box>
      </form>
      <Loaded state={state}>
        {v => (
          <Table size="small" aria-label={t('tabs.commands')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('commands.at')}</TableCell>
                <TableCell>{t('common.user')}</TableCell>
                <TableCell>{t('common.host')}</TableCell>
                <TableCell>{t('commands.command')}</TableCell>
                <TableCell>{t('commands.action')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {v.items.map(c => (
                <TableRow key={c.id}>
                  <TableCell>{time(c.at)}</TableCell>
                  <TableCell>
                    {c.userRef?.replace(/^user:default\//, '')}
                  </TableCell>
                  <TableCell>{c.host}</TableCell>
                  <TableCell>
                    <code>{c.command}</code>
                  </TableCell>
                  <TableCell>{c.action}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Loaded>
    </>
  );
}

function GrantsTab() {
  const t = useT();
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.listGrants(), [client]);
  const [form, setForm] = useState({
    subject: '',
    host: '',
    system: '',
    owner: '',
    tag: '',
    loginUser: 'opsdeck',
    hours: '8',
    reason: '',
  });
  const [error, setError] = useState<string>();
  const field = (key: keyof typeof form, label: string, helper?: string) => (
    <TextField
      id={`bastion-grant-${key}`}
      size="small"
      variant="outlined"
      label={label}
      helperText={helper}
      value={form[key]}
      onChange={e => setForm(f => ({ ...f, [key]: e.target.value }))}
    />
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const selector = Object.fromEntries(
        (['host', 'system', 'owner', 'tag'] as const)
          .filter(k => form[k].trim())
          .map(k => [k, form[k].trim()]),
      );
      await client.createGrant({
        subject: form.subject.trim(),
        selector,
        loginUser: form.loginUser.trim(),
        expiresAt: new Date(
          Date.now() + Number(form.hours) * 3600_000,
        ).toISOString(),
        reason: form.reason.trim() || undefined,
      });
      setError(undefined);
      state.retry();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const revoke = async (id: string) => {
    try {
      await client.revokeGrant(id);
      state.retry();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      <form onSubmit={submit} aria-label={t('tabs.grants')}>
        <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
          {field('subject', t('grants.subject'), t('grants.subjectHelp'))}
          {field('host', t('grants.hostSel'))}
          {field('system', t('grants.systemSel'))}
          {field('owner', t('grants.ownerSel'))}
          {field('tag', t('grants.tagSel'))}
          {field('loginUser', t('grants.loginUser'))}
          {field('hours', t('grants.hours'))}
          {field('reason', t('grants.reason'))}
          <Button type="submit" variant="contained" color="primary">
            {t('common.create')}
          </Button>
        </Box>
      </form>
      {error && <Alert severity="error">{error}</Alert>}
      <Loaded state={state}>
        {v => (
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('grants.subject')}</TableCell>
                <TableCell>{t('grants.selector')}</TableCell>
                <TableCell>{t('grants.loginUser')}</TableCell>
                <TableCell>{t('grants.expiresAt')}</TableCell>
                <TableCell>{t('grants.createdBy')}</TableCell>
                <TableCell>{t('common.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {v.items.map(g => (
                <TableRow key={g.id}>
                  <TableCell>{g.subject}</TableCell>
                  <TableCell>
                    {Object.entries(g.selector)
                      .map(([k, val]) => `${k}=${val}`)
                      .join(', ')}
                  </TableCell>
                  <TableCell>{g.loginUser}</TableCell>
                  <TableCell>{time(g.expiresAt)}</TableCell>
                  <TableCell>{g.createdBy}</TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => revoke(g.id)}>
                      {t('common.revoke')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Loaded>
    </>
  );
}

function RulesTab() {
  const t = useT();
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.listRules(), [client]);
  const [form, setForm] = useState({
    name: '',
    pattern: '',
    action: 'reject',
    priority: '100',
  });
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.createRule({ ...form, priority: Number(form.priority) });
      setError(undefined);
      state.retry();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      <form onSubmit={submit}>
        <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
          <TextField
            id="bastion-rule-name"
            size="small"
            variant="outlined"
            label={t('rules.name')}
            value={form.name}
            onChange={e => setForm(f => ({ ...f, name: e.target.value }))}
          />
          <TextField
            id="bastion-rule-pattern"
            size="small"
            variant="outlined"
            label={t('rules.pattern')}
            value={form.pattern}
            onChange={e => setForm(f => ({ ...f, pattern: e.target.value }))}
          />
          <TextField
            id="bastion-rule-action"
            select
            size="small"
            variant="outlined"
            label={t('rules.action')}
            value={form.action}
            onChange={e => setForm(f => ({ ...f, action: e.target.value }))}
          >
            {['reject', 'alert', 'allow'].map(a => (
              <MenuItem key={a} value={a}>
                {a}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="bastion-rule-priority"
            size="small"
            variant="outlined"
            label={t('rules.priority')}
            value={form.priority}
            onChange={e => setForm(f => ({ ...f, priority: e.target.value }))}
          />
          <Button type="submit" variant="contained" color="primary">
            {t('common.create')}
          </Button>
        </Box>
      </form>
      {error && <Alert severity="error">{error}</Alert>}
      <Loaded state={state}>
        {v => (
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{t('rules.priority')}</TableCell>
                <TableCell>{t('rules.name')}</TableCell>
                <TableCell>{t('rules.pattern')}</TableCell>
                <TableCell>{t('rules.action')}</TableCell>
                <TableCell>{t('rules.scope')}</TableCell>
                <TableCell>{t('common.actions')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {v.items.map(r => (
                <TableRow key={r.id}>
                  <TableCell>{r.priority}</TableCell>
                  <TableCell>{r.name}</TableCell>
                  <TableCell>
                    <code>{r.pattern}</code>
                  </TableCell>
                  <TableCell>{r.action}</TableCell>
                  <TableCell>
                    {Object.entries(r.scope)
                      .map(([k, val]) => `${k}=${val}`)
                      .join(', ') || t('rules.everywhere')}
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      onClick={async () => {
                        await client
                          .deleteRule(r.id)
                          .catch(e => setError(messageOf(e)));
                        state.retry();
                      }}
                    >
                      {t('common.delete')}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Loaded>
    </>
  );
}

function MfaTab() {
  const t = useT();
  const client = useBastionClient();
  const state = useAsyncRetry(() => client.mfaStatus(), [client]);
  const [enrolment, setEnrolment] = useState<{
    secret: string;
    qrCode: string;
  }>();
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const enrol = async () => {
    try {
      setEnrolment(await client.enrolMfa());
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e) });
    }
  };
  const [resetCode, setResetCode] = useState('');
  const reset = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setEnrolment(await client.resetMfa(resetCode.trim()));
      setResetCode('');
      setCode('');
      setMessage({ ok: true, text: t('mfa.resetDone') });
      state.retry();
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    }
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.verifyMfa(code);
      setMessage({ ok: true, text: t('mfa.confirmed') });
      setEnrolment(undefined);
      state.retry();
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    }
  };
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
              t('mfa.verifiedUntil', { time: time(s.verifiedUntil) })}
          </Typography>
          <Typography variant="body2">
            {t('mfa.required', {
              envs: s.requiredEnvironments.join(', '),
              minutes: String(s.windowMinutes),
            })}
          </Typography>
          {!s.enrolled && s.available && !enrolment && (
            <Button variant="contained" color="primary" onClick={enrol}>
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
            <form onSubmit={verify}>
              <Box display="flex" style={{ gap: 8 }}>
                <TextField
                  id="bastion-mfa-code"
                  size="small"
                  variant="outlined"
                  label={t('access.codeLabel')}
                  value={code}
                  onChange={e => setCode(e.target.value)}
                />
                <Button type="submit" variant="outlined">
                  {t('access.verify')}
                </Button>
              </Box>
            </form>
          )}
          {message && (
            <Alert severity={message.ok ? 'success' : 'error'}>
              {message.text}
            </Alert>
          )}
          {s.enrolled && s.available && !enrolment && (
            <form onSubmit={reset} aria-label={t('mfa.resetTitle')}>
              <Typography variant="h6">{t('mfa.resetTitle')}</Typography>
              <Typography variant="body2">{t('mfa.resetHelp')}</Typography>
              <Box display="flex" style={{ gap: 8 }} mt={1}>
                <TextField
                  id="bastion-mfa-reset-code"
                  size="small"
                  variant="outlined"
                  label={t('mfa.currentCode')}
                  value={resetCode}
                  onChange={e => setResetCode(e.target.value)}
                />
                <Button type="submit" variant="outlined" color="secondary">
                  {t('mfa.reset')}
                </Button>
              </Box>
            </form>
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
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const userRef = user.trim();
    try {
      await client.adminResetMfa(userRef);
      setMessage({ ok: true, text: t('mfa.adminDone', { user: userRef }) });
      setUser('');
    } catch (err) {
      setMessage({ ok: false, text: messageOf(err) });
    }
  };
  return (
    <form onSubmit={submit} aria-label={t('mfa.adminTitle')}>
      <Typography variant="h6">{t('mfa.adminTitle')}</Typography>
      <Typography variant="body2">{t('mfa.adminHelp')}</Typography>
      <Box display="flex" style={{ gap: 8 }} mt={1}>
        <TextField
          id="bastion-mfa-admin-user"
          size="small"
          variant="outlined"
          label={t('mfa.adminUser')}
          value={user}
          onChange={e => setUser(e.target.value)}
        />
        <Button type="submit" variant="outlined" color="secondary">
          {t('mfa.adminReset')}
        </Button>
      </Box>
      {message && (
        <Alert severity={message.ok ? 'success' : 'error'}>
          {message.text}
        </Alert>
      )}
    </form>
  );
}

function Overview() {
  const t = useT();
  const [tab, setTab] = useState(0);
  const tabs: Array<[string, ReactNode]> = [
    [t('tabs.sessions'), <SessionsTab />],
    [t('tabs.live'), <LiveTab />],
    [t('tabs.commands'), <CommandsTab />],
    [t('tabs.grants'), <GrantsTab />],
    [t('tabs.rules'), <RulesTab />],
    [t('tabs.mfa'), <MfaTab />],
  ];
  return (
    <Page themeId="tool">
      <Header title={t('page.title')} subtitle={t('page.subtitle')} />
      <Content>
        <Tabs
          value={tab}
          onChange={(_e, v) => setTab(v)}
          indicatorColor="primary"
        >
          {tabs.map(([label]) => (
            <Tab key={label} label={label} />
          ))}
        </Tabs>
        <Box mt={2}>{tabs[tab][1]}</Box>
      </Content>
    </Page>
  );
}

/** The bastion's pages: overview tabs, terminal per host, replay/watch per session. */
export function BastionPage() {
  return (
    <Routes>
      <Route path="/" element={<Overview />} />
      <Route path="/hosts/:name" element={<TerminalPage />} />
      <Route path="/sessions/:id" element={<ReplayPage />} />
    </Routes>
  );
}
