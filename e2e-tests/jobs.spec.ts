import { expect, test } from '@playwright/test';
import {
  ensureDemoSshCredential,
  inLanguage,
  signIn,
  userToken,
  waitForDemoHosts,
} from './helpers';

// The demo hosts of environment prod (examples/entities.yaml) are real sshd
// servers on 127.0.0.1:22301-22306 that log in with the vault's `ops-ssh`.

test('an admin creates a job, runs it on the prod hosts with live output, re-runs the failed host and finds both runs in the history', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await ensureDemoSshCredential(request);
  const name = `e2e-job-${Date.now().toString(36)}`;
  // A value full of shell metacharacters: it must reach the script verbatim.
  const greeting = `it's "$(id)" ; rm -rf /`;

  // prod hosts need opsdeck.jobs.run.prod, which only admins hold by default
  await signIn(page, 'alice');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('tab', { name: 'Run history' })).toBeVisible();

  // 1. Save a script with a parameter. pay-app-02 (port 22302) fails on purpose.
  await page.getByRole('button', { name: 'New job' }).click();
  const editor = page.getByRole('dialog');
  await editor.getByRole('textbox', { name: /^Name/ }).fill(name);
  await editor
    .getByRole('textbox', { name: /^Script/ })
    .fill(
      [
        'printf "greeting=%s\\n" "$OPSDECK_PARAM_GREETING"',
        'sleep 4',
        'set -- $SSH_CONNECTION',
        'echo "done on port $4"',
        '[ "$4" = 22302 ] && { echo "pay-app-02 refuses" >&2; exit 3; }',
        'exit 0',
      ].join('\n'),
    );
  await editor.getByRole('button', { name: 'Add parameter' }).click();
  await editor.getByLabel('Parameter name 1').fill('GREETING');
  // A webhook to a closed loopback port: "fails" is ticked by default, "is
  // cancelled" added; the run page shows the (failed) delivery later.
  await editor
    .getByRole('textbox', { name: /^Webhook URL/ })
    .fill('http://127.0.0.1:9/e2e-hook');
  const triggers = editor.getByTestId('jobs-editor-webhook-triggers');
  await expect(
    triggers.getByRole('checkbox', { name: /^fails/ }),
  ).toBeChecked();
  await triggers.getByRole('checkbox', { name: /^is cancelled/ }).check();
  await editor.getByRole('button', { name: 'Save' }).click();
  const row = page.getByTestId(`jobs-row-${name}`);
  await expect(row).toBeVisible();
  const saved = await request.get(`/api/jobs/jobs/${name}`, {
    headers: { Authorization: `Bearer ${await userToken(request, 'alice')}` },
  });
  expect((await saved.json()).webhook).toEqual({
    url: 'http://127.0.0.1:9/e2e-hook',
    triggers: ['failure', 'cancel'],
  });

  // 2. Run it on the prod hosts, after previewing them.
  await row.getByRole('button', { name: 'Run' }).click();
  const runDialog = page.getByRole('dialog');
  await runDialog.getByLabel('Environment').fill('prod');
  await runDialog.getByRole('button', { name: 'Preview hosts' }).click();
  const preview = runDialog.getByTestId('jobs-preview');
  await expect(preview).toContainText('hosts match');
  await expect(preview).toContainText('pay-app-01');
  await expect(preview).toContainText('pay-app-02');
  await runDialog.getByLabel('GREETING').fill(greeting);
  await runDialog.getByRole('button', { name: 'Run now' }).click();

  // 3. The run page follows the run: output appears while it is still running.
  await expect(page).toHaveURL(/\/jobs\/runs\//);
  const status = page.getByTestId('jobs-run-status');
  await expect(status).toContainText('Running');
  await page
    .getByTestId('jobs-host-pay-app-01')
    .getByRole('button', { name: 'Output' })
    .click();
  const stdout = page.getByTestId('jobs-stdout');
  await expect(stdout).toContainText(`greeting=${greeting}`);
  await expect(status).toContainText('Running');
  await expect(stdout).not.toContainText('done on port');
  // the output came over the run's event stream, not by polling
  await expect(page.getByTestId('jobs-live-mode')).toHaveText(
    'Live: output is streamed as it happens',
  );

  // 4. It ends: one host failed with its exit code and stderr, the others succeeded.
  await expect(status).toContainText('Failed', { timeout: 60_000 });
  await expect(stdout).toContainText('done on port 22301');
  const failed = page.getByTestId('jobs-host-pay-app-02');
  await expect(failed).toContainText('Failed');
  await expect(failed).toContainText('3');
  await expect(page.getByTestId('jobs-host-pay-app-01')).toContainText(
    'Succeeded',
  );
  await failed.getByRole('button', { name: 'Output' }).click();
  await expect(page.getByTestId('jobs-stderr')).toContainText(
    'pay-app-02 refuses',
  );
  // the failure fired the webhook; nobody listens there
  await expect(page.getByTestId('jobs-webhook-delivery')).toContainText(
    'On failure: Webhook to http://127.0.0.1:9/e2e-hook failed after',
    { timeout: 30_000 },
  );
  // each prod host printed its own port: four results, pay-app-02's with its exit code
  await page.getByRole('button', { name: 'Compare outputs' }).click();
  const groups = page.getByTestId('jobs-output-groups');
  await expect(groups).toContainText('4 hosts, 4 different results');
  await expect(groups.getByTestId('jobs-output-group')).toHaveCount(4);
  await expect(groups).toContainText('1 hosts · Failed · exit code 3');
  await expect(groups).toContainText('pay-app-02 refuses');
  const firstRun = page.url();

  // 5. Re-run only the failed host.
  await page.getByRole('button', { name: 'Re-run failed hosts' }).click();
  await expect(page).not.toHaveURL(firstRun);
  await expect(page.getByTestId('jobs-host-pay-app-02')).toBeVisible();
  await expect(page.getByTestId('jobs-host-pay-app-01')).toHaveCount(0);
  await expect(page.getByTestId('jobs-run-status')).toContainText('Failed', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('jobs-run-summary')).toContainText('Re-run');

  // 6. Both runs are in the history, filtered by job.
  await page.getByRole('link', { name: 'Back to jobs' }).click();
  await page.getByRole('tab', { name: 'Run history' }).click();
  await page.getByRole('textbox', { name: 'Job' }).fill(name);
  const history = page.getByRole('table', { name: 'Runs' });
  await expect(history.getByRole('row')).toHaveCount(3); // header + 2 runs
  await expect(history).toContainText('Re-run');
  await expect(history).toContainText('Manual');
  await expect(history).toContainText('alice');
});

// A CI script's static token (backend.auth.externalAccess in
// app-config.e2e.yaml), restricted to the jobs plugin: start a run over the
// API and follow it. No browser page.
const CI_TOKEN = 'e2e-only-jobs-ci-token-not-a-secret-0001';

test('a CI script starts a run with a static service token and follows it to its result', async ({
  request,
}) => {
  test.setTimeout(120_000);
  await ensureDemoSshCredential(request);
  const headers = { Authorization: `Bearer ${CI_TOKEN}` };
  const name = `e2e-ci-${Date.now().toString(36)}`;

  const job = await request.post('/api/jobs/jobs', {
    headers,
    data: {
      name,
      language: 'sh',
      script:
        'echo "building $OPSDECK_PARAM_VERSION"; sleep 2; set -- $SSH_CONNECTION; echo "port $4"',
      parameters: [{ name: 'VERSION', type: 'string', required: true }],
    },
  });
  expect(job.status()).toBe(201);
  expect((await job.json()).createdBy).toBe('service:e2e-ci-jobs');

  const started = await request.post('/api/jobs/runs', {
    headers,
    data: {
      job: name,
      // non-prod hosts: a service token has no opsdeck.jobs.run.prod
      selector: { names: ['web-02', 'build-01'] },
      params: { VERSION: '1.4.2' },
      options: { concurrency: 2, timeoutSeconds: 60 },
    },
  });
  expect(started.status()).toBe(201);
  const run = await started.json();
  expect(run).toMatchObject({
    status: 'running',
    triggeredBy: 'service:e2e-ci-jobs',
    hostCount: 2,
  });

  // follow the event stream to the end of the run (it closes then)
  const events = await request.get(`/api/jobs/runs/${run.id}/events`, {
    headers,
  });
  expect(events.status()).toBe(200);
  expect(events.headers()['content-type']).toMatch(/^text\/event-stream/);
  const stream = await events.text();
  expect(stream).toContain('event: output');
  expect(stream).toContain('building 1.4.2');
  expect(stream.trimEnd().endsWith('event: end\ndata: {}')).toBe(true);

  const result = await request.get(`/api/jobs/runs/${run.id}`, { headers });
  const body = await result.json();
  expect(body.run.status).toBe('succeeded');
  expect(body.hosts.map((h: any) => [h.host, h.status, h.exitCode])).toEqual([
    ['build-01', 'succeeded', 0],
    ['web-02', 'succeeded', 0],
  ]);
  const output = await request.get(`/api/jobs/runs/${run.id}/hosts/web-02`, {
    headers,
  });
  expect((await output.json()).stdout).toBe('building 1.4.2\nport 22304\n');

  // the token reaches the jobs plugin only
  for (const path of [
    '/api/catalog/entities?limit=1',
    '/api/vault/credentials',
  ]) {
    const other = await request.get(path, { headers });
    expect(other.status(), path).toBe(403);
  }
  // and no token at all is refused
  expect((await request.get('/api/jobs/runs')).status()).toBe(401);
});

test('ops edits a schedule: new cron and hosts are saved and approved for the editor', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const headers = {
    Authorization: `Bearer ${await userToken(request, 'bob')}`,
  };
  const name = `e2e-sched-${Date.now().toString(36)}`;
  const job = await request.post('/api/jobs/jobs', {
    headers,
    data: { name, language: 'sh', script: 'uptime' },
  });
  expect(job.status()).toBe(201);
  const created = await request.post('/api/jobs/schedules', {
    headers,
    data: {
      name,
      job: name,
      cron: '0 3 * * *',
      timeZone: 'UTC',
      // non-prod: bob (ops) has no opsdeck.jobs.run.prod
      selector: { names: ['web-02'] },
      missedPolicy: 'skip',
      enabled: false,
    },
  });
  expect(created.status()).toBe(201);

  await signIn(page, 'bob');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await page.getByRole('button', { name: `Edit ${name}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('jobs-schedule-approved')).toContainText(
    'web-02',
  );
  await dialog
    .getByRole('textbox', { name: /^Cron expression/ })
    .fill('15 4 * * 1');
  await dialog.getByLabel('Host names').fill('build-01, web-02');
  await dialog.getByRole('button', { name: 'Preview hosts' }).click();
  await expect(dialog.getByTestId('jobs-preview')).toContainText('build-01');
  await dialog.getByRole('button', { name: 'Save and approve hosts' }).click();
  await expect(dialog).toBeHidden();

  const table = page.getByRole('table', { name: 'Schedules' });
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('15 4 * * 1');
  await expect(row).toContainText('2 · bob');
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const approved = page
    .getByRole('dialog')
    .getByTestId('jobs-schedule-approved');
  await expect(approved).toContainText('build-01, web-02');
  await expect(approved).toContainText('bob');
});

// The CMDB's shared host field in the run dialog (#15 item 1): values offered
// from the catalog, a live "N hosts match" count, in English and in Chinese.
for (const lang of ['en', 'zh-CN'] as const) {
  test(`the run dialog picks hosts with the shared host field (${lang})`, async ({
    page,
    request,
  }) => {
    const name = `e2e-field-${lang.toLowerCase()}-${Date.now().toString(36)}`;
    const token = await userToken(request, 'alice');
    const created = await request.post('/api/jobs/jobs', {
      headers: { Authorization: `Bearer ${token}` },
      data: { name, language: 'sh', script: 'true', notifyOnFailure: false },
    });
    expect(created.status()).toBe(201);
    // the catalog's hosts (examples/entities.yaml) reach the CMDB's host index
    // by its catalog sync, seconds after the catalog has ingested them
    await expect
      .poll(
        async () => {
          const r = await request.post('/api/cmdb/hosts/resolve', {
            headers: { Authorization: `Bearer ${token}` },
            data: { selector: { system: 'payments' }, limit: 0 },
          });
          return r.ok() ? (await r.json()).total : -1;
        },
        { timeout: 60_000 },
      )
      .toBe(2);
    const text =
      lang === 'en'
        ? {
            run: 'Run',
            system: 'System',
            names: 'Host names',
            match: /2 hosts match: pay-app-01, pay-app-02/,
            one: /1 hosts match: pay-app-01/,
          }
        : {
            run: '执行',
            system: '系统',
            names: '主机名',
            match: /匹配 2 台主机：pay-app-01, pay-app-02/,
            one: /匹配 1 台主机：pay-app-01/,
          };

    await signIn(page, 'alice');
    if (lang === 'zh-CN') {
      await page.goto('/settings');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('option', { name: '简体中文' }).click();
      await expect(
        page.getByRole('button', { name: '简体中文' }),
      ).toBeVisible();
    }
    await page.goto('/jobs');
    await page
      .getByTestId(`jobs-row-${name}`)
      .getByRole('button', { name: text.run, exact: true })
      .click();
    const dialog = page.getByRole('dialog');
    const preview = dialog.getByTestId('jobs-selector-preview');
    // the systems of the catalog's hosts are offered
    await dialog.getByLabel(text.system, { exact: true }).click();
    await page.getByRole('option', { name: 'payments', exact: true }).click();
    await expect(preview).toContainText(text.match);
    // a name typed with a comma becomes a chip at once; every field must match
    await dialog.getByLabel(text.names, { exact: true }).fill('pay-app-01,');
    await expect(preview).toContainText(text.one);
  });
}

// Ad-hoc commands (#16 item 6): typed on a host selection from the Jobs page,
// run once by the jobs engine, without saving a job. A viewer has no button.
for (const lang of ['en', 'zh-CN'] as const) {
  test(`ops runs an ad-hoc command on a host and sees its output (${lang})`, async ({
    page,
    request,
  }) => {
    await ensureDemoSshCredential(request);
    const text =
      lang === 'en'
        ? {
            open: 'Run a command',
            names: 'Host names',
            script: /^Command or script/,
            run: 'Run now',
            title: 'Ad-hoc command',
            output: 'Output',
          }
        : {
            open: '执行命令',
            names: '主机名',
            script: /^命令或脚本/,
            run: '立即执行',
            title: '临时命令',
            output: '输出',
          };
    await signIn(page, 'bob');
    if (lang === 'zh-CN') {
      await page.goto('/settings');
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('option', { name: '简体中文' }).click();
      await expect(
        page.getByRole('button', { name: '简体中文' }),
      ).toBeVisible();
    }
    await page.goto('/jobs');
    await page.getByRole('button', { name: text.open }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(text.names, { exact: true }).fill('web-02,');
    await dialog.getByLabel(text.script).fill(`echo "adhoc-${lang}-$((6*7))"`);
    await dialog.getByRole('button', { name: text.run }).click();
    await expect(page).toHaveURL(/\/jobs\/runs\//);
    await expect(page.getByRole('heading', { name: text.title })).toBeVisible();
    await expect(page.getByTestId('jobs-adhoc-script')).toContainText(
      `echo "adhoc-${lang}-$((6*7))"`,
    );
    await page
      .getByTestId('jobs-host-web-02')
      .getByRole('button', { name: text.output })
      .click();
    // the output (…-42) differs from the command (…-$((6*7))): it ran
    await expect(page.getByTestId('jobs-stdout')).toContainText(
      `adhoc-${lang}-42`,
      { timeout: 30_000 },
    );
  });
}

test('a viewer sees no ad-hoc command button, nor the ad-hoc commands others ran (#16)', async ({
  page,
  request,
}) => {
  await ensureDemoSshCredential(request);
  // bob (ops) runs a command holding an argument others must not read
  const secret = `pw=adhoc-${Date.now()}`;
  const bob = await userToken(request, 'bob');
  const started = await request.post('/api/jobs/runs', {
    headers: { Authorization: `Bearer ${bob}` },
    data: {
      adhoc: { language: 'sh', script: `echo ${secret} >/dev/null` },
      selector: { names: ['web-02'] },
    },
  });
  expect(started.status()).toBe(201);
  const runId = (await started.json()).id as string;
  const erin = await userToken(request, 'erin');
  const direct = await request.get(`/api/jobs/runs/${runId}`, {
    headers: { Authorization: `Bearer ${erin}` },
  });
  expect(direct.status()).toBe(404);
  expect(await direct.text()).not.toContain(secret);

  await signIn(page, 'erin');
  await page.goto('/jobs');
  await expect(page.getByRole('tab', { name: 'Run history' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run a command' })).toHaveCount(
    0,
  );
  await page.getByRole('tab', { name: 'Run history' }).click();
  await expect(page.getByTestId('jobs-adhoc-others-hidden')).toHaveText(
    'Ad-hoc commands run by others are not listed: their command and output need the permission opsdeck.jobs.adhoc.read.',
  );
  await expect(page.locator(`a[href$="/jobs/runs/${runId}"]`)).toHaveCount(0);
  await page.goto(`/jobs/runs/${runId}`);
  await expect(page.getByText(`No run '${runId}'`)).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
});

// The run output view groups identical host outputs (#16 item 6), in English
// and in Chinese: two hosts print the same, the third fails its own way.
for (const lang of ['en', 'zh-CN'] as const) {
  test(`a run's outputs are compared: identical hosts in one group (${lang})`, async ({
    page,
    request,
  }) => {
    test.setTimeout(120_000);
    await ensureDemoSshCredential(request);
    const headers = {
      Authorization: `Bearer ${await userToken(request, 'alice')}`,
    };
    await waitForDemoHosts(request, headers, [
      'pay-app-01',
      'pay-app-02',
      'web-02',
    ]);
    const name = `e2e-groups-${lang.toLowerCase()}-${Date.now().toString(36)}`;
    const job = await request.post('/api/jobs/jobs', {
      headers,
      data: {
        name,
        language: 'sh',
        notifyOnFailure: false,
        script: [
          'set -- $SSH_CONNECTION',
          // web-02 (port 22304) fails with its own output
          'if [ "$4" = 22304 ]; then echo "port $4 differs" >&2; exit 2; fi',
          'echo same-everywhere',
        ].join('\n'),
      },
    });
    expect(job.status()).toBe(201);
    const started = await request.post('/api/jobs/runs', {
      headers,
      data: {
        job: name,
        selector: { names: ['pay-app-01', 'pay-app-02', 'web-02'] },
        options: { concurrency: 3, timeoutSeconds: 60 },
      },
    });
    expect(started.status()).toBe(201);
    const run = await started.json();
    // the event stream closes when the run has ended
    const events = await request.get(`/api/jobs/runs/${run.id}/events`, {
      headers,
    });
    expect(await events.text()).toContain('event: end');

    const text =
      lang === 'en'
        ? {
            compare: 'Compare outputs',
            summary: '3 hosts, 2 different results',
            same: '2 hosts · Succeeded · exit code 0',
            failed: '1 hosts · Failed · exit code 2',
            stdout: 'Standard output',
            hide: 'Hide comparison',
          }
        : {
            compare: '对比输出',
            summary: '3 台主机，2 种不同结果',
            same: '2 台主机 · 成功 · 退出码 0',
            failed: '1 台主机 · 失败 · 退出码 2',
            stdout: '标准输出',
            hide: '收起对比',
          };
    await signIn(page, 'alice');
    await inLanguage(page, lang, async () => {
      await page.goto(`/jobs/runs/${run.id}`);
      await page.getByRole('button', { name: text.compare }).click();
      const groups = page.getByTestId('jobs-output-groups');
      await expect(groups).toContainText(text.summary);
      const group = groups.getByTestId('jobs-output-group');
      await expect(group).toHaveCount(2);
      // the largest group first: both hosts that printed the same
      await expect(group.first()).toContainText(text.same);
      await expect(group.first()).toContainText('pay-app-01');
      await expect(group.first()).toContainText('pay-app-02');
      await expect(group.first()).toContainText(text.stdout);
      await expect(group.first().getByTestId('jobs-group-stdout')).toHaveText(
        /^same-everywhere\s*$/,
      );
      await expect(group.nth(1)).toContainText(text.failed);
      await expect(group.nth(1)).toContainText('web-02');
      await expect(group.nth(1)).toContainText('port 22304 differs');
      await expect(page.getByRole('button', { name: text.hide })).toBeVisible();
      if (lang === 'zh-CN') {
        // none of the view's own words stay English
        await expect(groups).not.toContainText(
          /hosts|different results|Succeeded|Failed|exit code|Standard output/,
        );
      }
    });
  });
}
