import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  jobsAdhocReadPermission,
  jobsManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import {
  audited,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import { JobStore } from '../database/JobStore';
import { RunExecutor, RunRequest } from '../execution/RunExecutor';
import { resolveParameters } from '../execution/parameters';
import {
  ADHOC_JOB,
  AdhocCommand,
  DEFAULT_RUN_OPTIONS,
  HostSelector,
  Job,
  JobParameter,
  JobWebhook,
  Run,
  RunOptions,
  Schedule,
} from '../model';
import { nextTick, validateCron } from '../schedule/cronTicks';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { validateWebhook } from '../notify/webhook';
import { HostAccess } from './HostAccess';
import { groupRunOutputs } from './outputGroups';
import { RunStreamer } from './runStream';

/** The job an ad-hoc command runs as: no parameters, no notification. */
function adhocJob(command: AdhocCommand): RunRequest['job'] {
  return {
    ...ADHOC_JOB,
    language: command.language,
    script: command.script,
    parameters: [],
    notifyOnFailure: false,
  };
}

/**
 * Saved jobs may not take the ad-hoc runs' job id or name: `GET /runs?job=adhoc`
 * and the run pages would show one as the other.
 */
function checkJobName(name: unknown) {
  if (name === ADHOC_JOB.id || name === ADHOC_JOB.name) {
    throw new InputError(
      `'${name}' is reserved for ad-hoc commands; name the job otherwise`,
    );
  }
}

/** Who made the request, as stored in runs and jobs. */
export const principalName = principalRef;

function checkParameters(parameters: JobParameter[]) {
  const seen = new Set<string>();
  for (const p of parameters) {
    if (seen.has(p.name)) {
      throw new InputError(`Parameter '${p.name}' is declared twice`);
    }
    seen.add(p.name);
    if (p.type === 'choice' && !p.choices?.length) {
      throw new InputError(`Choice parameter '${p.name}' needs choices`);
    }
  }
}

/** The jobs plugin's HTTP API. */
export async function createRouter(options: {
  store: JobStore;
  executor: RunExecutor;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Who may run on which hosts (run and prod permissions, per host). */
  hostAccess: HostAccess;
  /** Checks a webhook against the admin allow-list when it is saved. */
  checkWebhook?: (webhook: JobWebhook) => Promise<void>;
  /** How often a run's event stream reads the database (default 500 ms). */
  streamPollMs?: number;
}) {
  const { store, executor, auditor, hostAccess } = options;
  const checkWebhook =
    options.checkWebhook ?? (async (w: JobWebhook) => validateWebhook(w));
  const findHosts = hostAccess.findHosts.bind(hostAccess);
  const authorizeHosts = hostAccess.authorizeHosts.bind(hostAccess);
  const approveHosts = hostAccess.approveHosts.bind(hostAccess);
  const streamer = new RunStreamer({
    store,
    executor,
    pollMs: options.streamPollMs,
  });
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const router = await createOpenApiRouter({ guard });

  async function jobOr404(idOrName: string): Promise<Job> {
    const job = await store.getJob(idOrName);
    if (!job) throw new NotFoundError(`No job '${idOrName}'`);
    return job;
  }

  /**
   * The run, if the caller may see it: an ad-hoc run (its script and output
   * may hold sensitive arguments) only by whoever ran it and by holders of
   * opsdeck.jobs.adhoc.read; for anybody else it does not exist (404).
   */
  async function runOr404(
    req: Parameters<typeof guard.credentials>[0],
    id: string,
  ): Promise<Run> {
    const credentials = await guard.credentials(req);
    const run = await store.getRun(id);
    if (
      !run ||
      (run.adhoc &&
        run.triggeredBy !== principalName(credentials) &&
        !(await guard.allowed(credentials, jobsAdhocReadPermission)))
    ) {
      throw new NotFoundError(`No run '${id}'`);
    }
    return run;
  }

  const runOptions = (o?: Partial<RunOptions>): RunOptions => ({
    ...DEFAULT_RUN_OPTIONS,
    ...o,
  });

  const withNextTick = (s: Schedule) => {
    try {
      return {
        ...s,
        nextTickAt: new Date(
          nextTick(s.cron, s.timeZone, Date.now()),
        ).toISOString(),
      };
    } catch {
      return s;
    }
  };

  // --- jobs -----------------------------------------------------------------

  router.get('/jobs', async (_req, res) => {
    res.json({ items: await store.listJobs() });
  });

  router.post('/jobs', async (req, res) => {
    const credentials = await guard.credentials(req);
    const body = req.body;
    const parameters = (body.parameters ?? []) as JobParameter[];
    const job = await audited(
      auditor,
      {
        eventId: 'job-create',
        request: req,
        // no id yet: a refused create names the job it tried (as before)
        target: body.name,
        meta: { name: body.name, language: body.language },
        successMeta: created => ({
          jobId: created.id,
          version: created.version,
          target: `job:${created.id}`,
        }),
      },
      async () => {
        checkJobName(body.name);
        checkParameters(parameters);
        if (body.webhook) await checkWebhook(body.webhook as JobWebhook);
        return store.createJob(
          {
            name: body.name,
            description: body.description ?? '',
            language: body.language,
            script: body.script,
            parameters,
            notifyOnFailure: body.notifyOnFailure ?? true,
            webhook: body.webhook as JobWebhook | undefined,
          },
          principalName(credentials),
        );
      },
    );
    res.status(201).json(job);
  });

  router.get('/jobs/:id', async (req, res) => {
    res.json(await jobOr404(req.params.id));
  });

  router.put('/jobs/:id', async (req, res) => {
    const credentials = await guard.credentials(req);
    const job = await jobOr404(req.params.id);
    const updated = await audited(
      auditor,
      {
        eventId: 'job-update',
        request: req,
        target: `job:${job.id}`,
        meta: { jobId: job.id, name: job.name, fromVersion: job.version },
        successMeta: u => ({ toVersion: u.version }),
      },
      async () => {
        const body = req.body;
        if (body.name !== undefined) checkJobName(body.name);
        if (body.parameters) {
          checkParameters(body.parameters as JobParameter[]);
        }
        if (body.webhook) await checkWebhook(body.webhook as JobWebhook);
        const u = await store.updateJob(
          job.id,
          {
            ...body,
            parameters: body.parameters as JobParameter[] | undefined,
            // null removes it
            webhook: body.webhook as JobWebhook | undefined,
          },
          principalName(credentials),
        );
        if (!u) throw new NotFoundError(`No job '${req.params.id}'`);
        return u;
      },
    );
    res.json(updated);
  });

  router.delete('/jobs/:id', async (req, res) => {
    const job = await jobOr404(req.params.id);
    await audited(
      auditor,
      {
        eventId: 'job-delete',
        severityLevel: 'high',
        request: req,
        target: `job:${job.id}`,
        meta: { jobId: job.id, name: job.name },
      },
      () => store.deleteJob(job.id),
    );
    res.status(204).end();
  });

  router.get('/jobs/:id/versions', async (req, res) => {
    const job = await jobOr404(req.params.id);
    res.json({ items: await store.listJobVersions(job.id) });
  });

  // --- hosts and runs -------------------------------------------------------

  router.post('/hosts/preview', async (req, res) => {
    const credentials = await guard.credentials(req);
    res.json({
      items: await findHosts(credentials, req.body.selector),
    });
  });

  router.get('/runs', async (req, res) => {
    const credentials = await guard.credentials(req);
    // others' ad-hoc runs are left out in the query, so that paging holds
    const adhocOf = (await guard.allowed(credentials, jobsAdhocReadPermission))
      ? undefined
      : principalName(credentials);
    let jobId: string | undefined;
    if (req.query.job === ADHOC_JOB.id || req.query.job === ADHOC_JOB.name) {
      // the ad-hoc runs, never a saved job that took the name before it was reserved
      jobId = ADHOC_JOB.id;
    } else if (req.query.job) {
      jobId = (await store.getJob(req.query.job))?.id ?? req.query.job;
    }
    res.json({
      items: await store.listRuns({
        jobId,
        status: req.query.status,
        // `bob` is short for user:default/bob
        triggeredBy:
          req.query.triggeredBy && !req.query.triggeredBy.includes(':')
            ? `user:default/${req.query.triggeredBy}`
            : req.query.triggeredBy,
        host: req.query.host,
        before: req.query.before,
        limit: req.query.limit,
        adhocOf,
      }),
    });
  });

  router.post('/runs', async (req, res) => {
    const body = req.body;
    if (!body.job === !body.adhoc) {
      throw new InputError('Give either a job or an ad-hoc command');
    }
    const adhoc = body.adhoc as AdhocCommand | undefined;
    // an ad-hoc command is a script written now: who may write jobs may type one
    const credentials = adhoc
      ? await guard.authorize(req, jobsManagePermission, {
          what: 'run ad-hoc commands (needs opsdeck.jobs.job.manage)',
        })
      : await guard.credentials(req);
    const job = adhoc ? adhocJob(adhoc) : await jobOr404(body.job!);
    const selector = body.selector as HostSelector;
    let hosts: Awaited<ReturnType<typeof findHosts>> = [];
    const run = await audited(
      auditor,
      {
        eventId: 'job-run',
        severityLevel: 'high',
        request: req,
        // an ad-hoc command has no job: the run names it once it exists
        target: adhoc ? '' : `job:${job.id}`,
        meta: adhoc
          ? { adhoc, selector }
          : { jobId: job.id, name: job.name, version: job.version, selector },
        successMeta: started => ({
          runId: started.id,
          hosts: hosts.map(h => h.entityRef),
          ...(adhoc ? { target: `job-run:${started.id}` } : {}),
        }),
      },
      async () => {
        hosts = await findHosts(credentials, selector);
        await authorizeHosts(credentials, hosts);
        return executor.start({
          job,
          hosts,
          selector,
          params: (body.params ?? {}) as Record<string, string>,
          options: runOptions(body.options),
          trigger: 'manual',
          triggeredBy: principalName(credentials),
          adhoc,
        });
      },
    );
    res.status(201).json(run);
  });

  router.get('/runs/:id', async (req, res) => {
    const run = await runOr404(req, req.params.id);
    res.json({ run, hosts: await store.listRunHosts(run.id) });
  });

  router.get('/runs/:id/hosts/:host', async (req, res) => {
    const run = await runOr404(req, req.params.id);
    const host = await store.getRunHost(run.id, req.params.host);
    if (!host) {
      throw new NotFoundError(
        `No host '${req.params.host}' in run '${req.params.id}'`,
      );
    }
    res.json(host);
  });

  router.get('/runs/:id/groups', async (req, res) => {
    const run = await runOr404(req, req.params.id);
    res.json(await groupRunOutputs(store, run.id));
  });

  router.get('/runs/:id/events', async (req, res) => {
    const run = await runOr404(req, req.params.id);
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    await streamer.stream(run.id, res, {
      host: req.query.host,
      signal: closed.signal,
    });
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    const credentials = await guard.credentials(req);
    const run = await runOr404(req, req.params.id);
    await hostAccess.authorizeRunHosts(
      credentials,
      await store.listRunHosts(run.id),
    );
    await audited(
      auditor,
      {
        eventId: 'job-run-cancel',
        request: req,
        target: `job:${run.jobId}`,
        meta: { runId: run.id, jobId: run.jobId },
        successMeta: requested => ({ requested }),
      },
      () => executor.cancel(run.id),
    );
    res.status(202).json((await store.getRun(run.id))!);
  });

  router.post('/runs/:id/rerun', async (req, res) => {
    const previous = await runOr404(req, req.params.id);
    if (previous.adhoc) {
      await guard.authorize(req, jobsManagePermission, {
        what: 'run ad-hoc commands (needs opsdeck.jobs.job.manage)',
      });
    }
    const credentials = await guard.credentials(req);
    const failedOnly = req.body?.failedOnly ?? true;
    const version = previous.adhoc
      ? adhocJob(previous.adhoc)
      : await store.getJobVersion(previous.jobId, previous.jobVersion);
    const job = previous.adhoc
      ? adhocJob(previous.adhoc)
      : await store.getJob(previous.jobId);
    if (!version || !job) {
      throw new NotFoundError(`The job of run '${previous.id}' is gone`);
    }
    const run = await audited(
      auditor,
      {
        eventId: 'job-rerun',
        severityLevel: 'high',
        request: req,
        target: `job:${job.id}`,
        // the command itself, as for the first run: the audit alone says what ran
        meta: {
          rerunOf: previous.id,
          jobId: job.id,
          failedOnly,
          ...(previous.adhoc ? { adhoc: previous.adhoc } : {}),
        },
        successMeta: started => ({ runId: started.id }),
      },
      async () => {
        const previousHosts = (await store.listRunHosts(previous.id)).filter(
          h => !failedOnly || h.status !== 'succeeded',
        );
        if (previousHosts.length === 0) {
          throw new InputError('Every host of that run succeeded');
        }
        // Host entities are read again: address or credential may have changed.
        const hosts = await findHosts(credentials, {
          names: previousHosts.map(h => h.host),
        });
        await authorizeHosts(credentials, hosts);
        return executor.start({
          job: {
            id: job.id,
            name: job.name,
            version: version.version,
            language: version.language,
            script: version.script,
            parameters: version.parameters,
            notifyOnFailure: job.notifyOnFailure,
            webhook: job.webhook,
          },
          hosts,
          selector: { names: hosts.map(h => h.name) },
          params: previous.params,
          options: previous.options,
          trigger: 'rerun',
          triggeredBy: principalName(credentials),
          rerunOf: previous.id,
          adhoc: previous.adhoc,
        });
      },
    );
    res.status(201).json(run);
  });

  // --- schedules ------------------------------------------------------------

  router.get('/schedules', async (_req, res) => {
    res.json({ items: (await store.listSchedules()).map(withNextTick) });
  });

  router.post('/schedules', async (req, res) => {
    const credentials = await guard.credentials(req);
    const body = req.body;
    const job = await jobOr404(body.job);
    const timeZone = body.timeZone ?? 'UTC';
    let approvedHosts: string[] = [];
    const schedule = await audited(
      auditor,
      {
        eventId: 'job-schedule-create',
        request: req,
        target: `job:${job.id}`,
        meta: { jobId: job.id, name: body.name, cron: body.cron, timeZone },
        successMeta: created => ({
          scheduleId: created.id,
          approvedHosts,
          target: `job-schedule:${created.id}`,
        }),
      },
      async () => {
        validateCron(body.cron, timeZone);
        const params = (body.params ?? {}) as Record<string, string>;
        await resolveParameters(job.parameters, params);
        const approval = await approveHosts(credentials, body.selector);
        approvedHosts = approval.hosts;
        return store.createSchedule(
          {
            name: body.name,
            jobId: job.id,
            cron: body.cron,
            timeZone,
            selector: body.selector,
            params,
            options: runOptions(body.options),
            missedPolicy: body.missedPolicy ?? 'skip',
            enabled: body.enabled ?? true,
          },
          principalName(credentials),
          approval,
        );
      },
    );
    res.status(201).json(withNextTick(schedule));
  });

  router.patch('/schedules/:id', async (req, res) => {
    const credentials = await guard.credentials(req);
    const current = await store.getSchedule(req.params.id);
    if (!current) throw new NotFoundError(`No schedule '${req.params.id}'`);
    const { updated } = await audited(
      auditor,
      {
        eventId: 'job-schedule-update',
        request: req,
        target: `job-schedule:${current.id}`,
        meta: { scheduleId: current.id, change: req.body },
        successMeta: r =>
          r.approval ? { approvedHosts: r.approval.hosts } : {},
      },
      async () => {
        validateCron(
          req.body.cron ?? current.cron,
          req.body.timeZone ?? current.timeZone,
        );
        const change = req.body as Partial<Schedule>;
        if (change.params) {
          const job = await jobOr404(current.jobId);
          await resolveParameters(job.parameters, change.params);
        }
        // switching a schedule off needs no approval; any other edit approves
        // again, for the editor, the hosts the selector resolves to now
        const onlyDisables =
          Object.keys(change).length === 1 && change.enabled === false;
        const approval = onlyDisables
          ? undefined
          : await approveHosts(
              credentials,
              change.selector ?? current.selector,
            );
        const u = await store.updateSchedule(
          current.id,
          {
            ...change,
            options: change.options ? runOptions(change.options) : undefined,
          },
          approval,
        );
        return { updated: u, approval };
      },
    );
    res.json(withNextTick(updated!));
  });

  router.delete('/schedules/:id', async (req, res) => {
    const current = await store.getSchedule(req.params.id);
    if (!current) throw new NotFoundError(`No schedule '${req.params.id}'`);
    await audited(
      auditor,
      {
        eventId: 'job-schedule-delete',
        request: req,
        target: `job-schedule:${current.id}`,
        meta: { scheduleId: current.id, name: current.name },
      },
      () => store.deleteSchedule(current.id),
    );
    res.status(204).end();
  });

  return router;
}
