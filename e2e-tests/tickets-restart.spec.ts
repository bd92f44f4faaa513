import { ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  APIRequestContext,
  expect,
  request as playwrightRequest,
  test,
} from '@playwright/test';
import { ensureDemoDbCredential, signIn, userToken } from './helpers';

// A request pending across a backend restart can still be approved. The CI
// backend on :7017 cannot be restarted from a spec, so this spec runs its own
// opsdeck backend (same e2e config, port 7027, its own data directory), kills
// its process group while frank's request waits, starts it again on the same
// data and lets carol approve in the browser.

const PORT = Number(process.env.OPSDECK_E2E_RESTART_PORT ?? 7027);
const BASE = `http://localhost:${PORT}`;
const ROOT = path.resolve(__dirname, '..');

let dataDir = '';
let portFile = '';
let backend: ChildProcess | undefined;
let passed = false;

async function listening(): Promise<boolean> {
  try {
    await fetch(`${BASE}/.backstage/health/v1/readiness`);
    return true;
  } catch {
    return false;
  }
}

async function ready(child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the restart test backend exited early; see ${dataDir}/backend.log`,
      );
    }
    try {
      const res = await fetch(`${BASE}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`the restart test backend was not ready; see ${dataDir}`);
}

async function startBackend(): Promise<void> {
  // Readiness must come from the backend started here, not a leftover one.
  if (await listening()) {
    throw new Error(`port ${PORT} is already in use: stop what listens there`);
  }
  const log = openSync(path.join(dataDir, 'backend.log'), 'a');
  // detached: its own process group, so the kill reaches node and its children
  const child = spawn(
    'bash',
    [
      'scripts/lib/run-backend.sh',
      'src/index',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../e2e-tests/app-config.e2e.yaml',
      '--config',
      portFile,
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, OPSDECK_E2E_DATA_DIR: dataDir },
    },
  );
  closeSync(log);
  backend = child;
  await ready(child);
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(`the restart test backend exited; see ${dataDir}`);
  }
}

async function stopBackend(): Promise<void> {
  const child = backend;
  backend = undefined;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise(r => child.once('exit', r));
  // SIGKILL, like a crash: nothing gets to finish cleanly.
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await exited;
  // the port must be free before the next start
  for (let i = 0; i < 50 && (await listening()); i++) {
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * A user token once the fresh backend's catalog has the demo users (sign-in
 * resolves the user entity, so it fails until the org is ingested).
 */
async function tokenOf(api: APIRequestContext, user: string): Promise<string> {
  let token = '';
  await expect(async () => {
    token = await userToken(api, user);
  }).toPass({ timeout: 60_000 });
  return token;
}

test.beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'opsdeck-e2e-restart.'));
  portFile = path.join(dataDir, 'port.yaml');
  writeFileSync(
    portFile,
    `app: { baseUrl: ${BASE} }\nbackend: { baseUrl: ${BASE}, listen: { port: ${PORT} } }\n`,
  );
  await startBackend();
});

test.afterAll(async () => {
  await stopBackend();
  // keep the data and log of a failed run for a look
  if (passed) rmSync(dataDir, { recursive: true, force: true });
});

test('a request pending across a backend restart can still be approved in the browser', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const api = await playwrightRequest.newContext({ baseURL: BASE });
  await ensureDemoDbCredential(api, {
    Authorization: `Bearer ${await tokenOf(api, 'alice')}`,
  });
  const frankHeaders = {
    Authorization: `Bearer ${await tokenOf(api, 'frank')}`,
  };

  // frank asks for a database account in the browser
  const frankContext = await browser.newContext({ baseURL: BASE });
  const frank = await frankContext.newPage();
  await signIn(frank, 'frank');
  await frank.goto('/create/templates/default/request-database-account');
  await frank.getByRole('textbox', { name: /^Database/ }).fill('pay-db-main');
  await frank.getByRole('option', { name: /pay-db-main/ }).click();
  const reason = `e2e restart ${Date.now().toString(36)}`;
  await frank.getByRole('textbox', { name: /^Reason/ }).fill(reason);
  await frank.getByRole('button', { name: 'Review' }).click();
  await frank.getByRole('button', { name: 'Create' }).click();
  let ticket: any;
  await expect
    .poll(
      async () => {
        const res = await api.get('/api/tickets/tickets?view=mine', {
          headers: frankHeaders,
        });
        ticket = (await res.json()).items.find(
          (t: any) => t.details?.reason === reason,
        );
        return ticket?.state;
      },
      { timeout: 60_000 },
    )
    .toBe('awaiting_approval');
  await frankContext.close();

  // the backend dies and comes back on the same data
  const before = backend?.pid;
  await stopBackend();
  await startBackend();
  expect(backend?.pid).not.toBe(before);

  const carolContext = await browser.newContext({ baseURL: BASE });
  const carol = await carolContext.newPage();
  await signIn(carol, 'carol');
  await carol.goto(`/tickets/${ticket.id}`);
  await expect(carol.getByTestId('ticket-state')).toHaveText(
    'Awaiting approval',
  );
  await carol
    .getByRole('textbox', { name: 'Comment for the decision' })
    .fill('approved after the restart');
  await carol.getByRole('button', { name: 'Approve' }).click();
  await expect(carol.getByText('Your decision was recorded.')).toBeVisible();

  // the recovered task (scaffolder.taskRecovery) picks the ticket up again
  // and fulfils it
  const headers = {
    Authorization: `Bearer ${await tokenOf(api, 'frank')}`,
  };
  await expect
    .poll(
      async () =>
        (
          await (
            await api.get(`/api/tickets/tickets/${ticket.id}`, { headers })
          ).json()
        ).state,
      { timeout: 120_000, intervals: [1000] },
    )
    .toBe('done');
  await carol.reload();
  await expect(carol.getByTestId('ticket-state')).toHaveText('Done');
  await carolContext.close();
  await api.dispose();
  passed = true;
});
