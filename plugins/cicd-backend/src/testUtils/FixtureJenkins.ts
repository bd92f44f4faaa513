import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { applyTree, parseTree } from './tree';

/**
 * A fixture Jenkins: an HTTP server speaking the parts of Jenkins' JSON API
 * that opsdeck uses, with the shapes of real Jenkins responses (see the
 * package README for where they were learnt from):
 *
 * - `GET /crumbIssuer/api/json` (CSRF crumb; POSTs without it get 403);
 * - `GET {job}/api/json?tree=...` for folders, pipelines and multibranch
 *   projects (`jobs`, `builds`, `allBuilds` with `{from,to}` ranges);
 * - `GET {job}/{n}/api/json`, `{job}/{n}/consoleText`,
 *   `{job}/{n}/logText/progressiveText?start=` (X-Text-Size, X-More-Data),
 *   `{job}/{n}/wfapi/describe`, `{job}/{n}/artifact/<relativePath>`;
 * - `POST {job}/build` and `{job}/buildWithParameters` (201 + Location of
 *   the queue item).
 *
 * `{job}` is `/job/a/job/b` (folders), each name URL-encoded.
 */
export interface FixtureBuild {
  number: number;
  result: 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | null;
  timestamp: number;
  duration: number;
  console: string;
  /** Stage name → wfapi status; the failed one gets an error. */
  stages?: { name: string; status: string; durationMillis?: number }[];
  parameters?: { name: string; value: string }[];
  commit?: string;
  /** A build still running: its log grows and X-More-Data says so. */
  building?: boolean;
  /**
   * Files the build archived (`archiveArtifacts`): listed in the build's
   * `artifacts` as Jenkins exports them and served at
   * `{job}/{n}/artifact/<relativePath>`.
   */
  artifacts?: FixtureArtifact[];
}

export interface FixtureArtifact {
  /** Path inside the build's archive (`target/app.jar`). */
  relativePath: string;
  content: string | Buffer;
  /** What Jenkins would send as Content-Type (it guesses from the name). */
  contentType?: string;
}

/**
 * Jenkins' `displayPath` of archived files (Run.ArtifactList): the file
 * name, or as many trailing path segments as it takes to tell the file
 * apart from the build's other artifacts.
 */
function displayPaths(paths: string[]): string[] {
  return paths.map(p => {
    const parts = p.split('/');
    for (let k = 1; k < parts.length; k++) {
      const tail = parts.slice(-k).join('/');
      const clash = paths.some(
        o => o !== p && (o === tail || o.endsWith(`/${tail}`)),
      );
      if (!clash) return tail;
    }
    return p;
  });
}

export interface FixtureJob {
  /** Full name, folders separated by `/` (`shop/web`, `shop/api/main`). */
  fullName: string;
  kind: 'folder' | 'pipeline' | 'multibranch' | 'branch';
  builds: FixtureBuild[];
}

export interface FixtureRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

const CLASSES: Record<FixtureJob['kind'], string> = {
  folder: 'com.cloudbees.hudson.plugins.folder.Folder',
  pipeline: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
  multibranch:
    'org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject',
  branch: 'org.jenkinsci.plugins.workflow.job.WorkflowJob',
};
const RUN_CLASS = 'org.jenkinsci.plugins.workflow.job.WorkflowRun';
const CRUMB = 'f1x7ur3-crumb-0123456789abcdef';

export class FixtureJenkins {
  readonly requests: FixtureRequest[] = [];
  private readonly jobs = new Map<string, FixtureJob>();
  private server?: http.Server;
  private queueId = 100;
  /**
   * A request this answers with 500 (as a Jenkins restarting or overloaded
   * does) instead of serving it; tests set and clear it.
   */
  failWhen?: (request: FixtureRequest) => boolean;
  /**
   * Where to send a request with a 302 instead of serving it (a hostile
   * Jenkins, or a proxy in front of one); tests set and clear it.
   */
  redirectWhen?: (request: FixtureRequest) => string | undefined;
  /** Builds started through the API: job full name → parameters. */
  readonly started: { job: string; parameters: Record<string, string> }[] = [];

  constructor(
    private readonly options: {
      /** user → API token; when set, every request needs basic auth. */
      users?: Record<string, string>;
      /** Bytes per progressiveText answer while a build is running. */
      chunk?: number;
    } = {},
  ) {}

  addJob(job: FixtureJob): this {
    this.jobs.set(job.fullName, job);
    const parts = job.fullName.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (!this.jobs.has(parent)) {
        this.jobs.set(parent, { fullName: parent, kind: 'folder', builds: [] });
      }
    }
    return this;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('fixture Jenkins is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(e => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  private jobUrl(fullName: string): string {
    return `${this.url}/${fullName
      .split('/')
      .map(p => `job/${encodeURIComponent(p)}`)
      .join('/')}/`;
  }

  private buildJson(job: FixtureJob, b: FixtureBuild) {
    return {
      _class: RUN_CLASS,
      actions: [
        {
          _class: 'hudson.model.CauseAction',
          causes: [
            {
              _class: 'hudson.model.Cause$UserIdCause',
              shortDescription: 'Started by user Alice Admin',
              userId: 'alice',
              userName: 'Alice Admin',
            },
          ],
        },
        ...(b.parameters
          ? [
              {
                _class: 'hudson.model.ParametersAction',
                parameters: b.parameters.map(p => ({
                  _class: 'hudson.model.StringParameterValue',
                  ...p,
                })),
              },
            ]
          : []),
        ...(b.commit
          ? [
              {
                _class: 'hudson.plugins.git.util.BuildData',
                lastBuiltRevision: {
                  SHA1: b.commit,
                  branch: [
                    { SHA1: b.commit, name: 'refs/remotes/origin/main' },
                  ],
                },
              },
            ]
          : []),
        {},
      ],
      // Run.getArtifacts(): each Run$Artifact exports displayPath, fileName
      // and relativePath (no _class: the list's declared type is exact)
      artifacts: (() => {
        const list = b.artifacts ?? [];
        const shown = displayPaths(list.map(a => a.relativePath));
        return list.map((a, i) => ({
          displayPath: shown[i],
          fileName: a.relativePath.split('/').pop(),
          relativePath: a.relativePath,
        }));
      })(),
      building: Boolean(b.building),
      description: null,
      displayName: `#${b.number}`,
      duration: b.building ? 0 : b.duration,
      estimatedDuration: b.duration,
      executor: null,
      fullDisplayName: `${job.fullName.split('/').join(' » ')} #${b.number}`,
      id: String(b.number),
      keepLog: false,
      number: b.number,
      queueId: 1000 + b.number,
      result: b.building ? null : b.result,
      timestamp: b.timestamp,
      url: `${this.jobUrl(job.fullName)}${b.number}/`,
      changeSets: [],
      culprits: [],
      inProgress: Boolean(b.building),
      nextBuild: null,
      previousBuild: null,
    };
  }

  private jobJson(job: FixtureJob): Record<string, unknown> {
    const children = [...this.jobs.values()].filter(
      j =>
        j.fullName.startsWith(`${job.fullName}/`) &&
        !j.fullName.slice(job.fullName.length + 1).includes('/'),
    );
    const name = job.fullName.split('/').pop()!;
    const builds = [...job.builds]
      .sort((a, b) => b.number - a.number)
      .map(b => this.buildJson(job, b));
    const base = {
      _class: CLASSES[job.kind],
      actions: [{}],
      description: null,
      displayName: decodeURIComponent(name),
      fullDisplayName: job.fullName.split('/').join(' » '),
      fullName: job.fullName,
      name,
      url: this.jobUrl(job.fullName),
    };
    if (job.kind === 'folder' || job.kind === 'multibranch') {
      return {
        ...base,
        healthReport: [],
        jobs: children.map(c => ({
          ...this.jobJson(c),
        })),
        primaryView: {
          _class: 'hudson.model.AllView',
          name: 'all',
          url: base.url,
        },
      };
    }
    return {
      ...base,
      buildable: true,
      // Jenkins lists at most 100 builds here; allBuilds has them all.
      builds: builds.slice(0, 100),
      allBuilds: builds,
      color: builds[0]?.result === 'SUCCESS' ? 'blue' : 'red',
      firstBuild: builds.length
        ? { number: builds[builds.length - 1].number }
        : null,
      inQueue: false,
      lastBuild: builds.length ? { number: builds[0].number } : null,
      nextBuildNumber: (builds[0]?.number ?? 0) + 1,
      property: [],
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const query = Object.fromEntries(url.searchParams.entries());
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.method === 'POST' && body) {
      for (const [k, v] of new URLSearchParams(body)) query[k] = v;
    }
    const request: FixtureRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
    };
    this.requests.push(request);
    res.setHeader('X-Jenkins', '2.479.3');
    if (this.failWhen?.(request)) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/html;charset=utf-8');
      return res.end(
        '<html><body><h2>HTTP ERROR 500 Server Error</h2></body></html>',
      );
    }
    const location = this.redirectWhen?.(request);
    if (location) {
      res.statusCode = 302;
      res.setHeader('Location', location);
      return res.end();
    }
    const json = (status: number, value: unknown) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json;charset=utf-8');
      const tree = query.tree;
      res.end(JSON.stringify(tree ? applyTree(value, parseTree(tree)) : value));
    };
    const text = (status: number, value: string) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'text/plain;charset=utf-8');
      res.end(value);
    };

    if (this.options.users) {
      const auth = req.headers.authorization ?? '';
      const [user, token] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':');
      if (!auth.startsWith('Basic ') || this.options.users[user] !== token) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Jenkins"');
        return text(401, 'Unauthorized');
      }
    }
    if (url.pathname === '/crumbIssuer/api/json') {
      return json(200, {
        _class: 'hudson.security.csrf.DefaultCrumbIssuer',
        crumb: CRUMB,
        crumbRequestField: 'Jenkins-Crumb',
      });
    }
    // /job/a/job/b/<rest>
    const segments = url.pathname.split('/').filter(Boolean);
    const names: string[] = [];
    let i = 0;
    while (segments[i] === 'job' && segments[i + 1] !== undefined) {
      names.push(decodeURIComponent(segments[i + 1]));
      i += 2;
    }
    const job = this.jobs.get(names.join('/'));
    const rest = segments.slice(i);
    if (!job || names.length === 0) return text(404, 'Not Found');
    if (req.method === 'POST') {
      if (req.headers['jenkins-crumb'] !== CRUMB) {
        return text(403, 'No valid crumb was included in the request');
      }
      if (rest[0] === 'build' || rest[0] === 'buildWithParameters') {
        const parameters = { ...query };
        delete parameters.tree;
        this.started.push({ job: job.fullName, parameters });
        res.statusCode = 201;
        res.setHeader('Location', `${this.url}/queue/item/${++this.queueId}/`);
        return res.end();
      }
    }
    if (rest.length === 2 && rest[0] === 'api' && rest[1] === 'json') {
      return json(200, this.jobJson(job));
    }
    const build = job.builds.find(b => String(b.number) === rest[0]);
    if (!build) return text(404, 'Not Found');
    const tail = rest.slice(1).join('/');
    if (tail === 'api/json') return json(200, this.buildJson(job, build));
    if (tail === 'consoleText') return text(200, build.console);
    if (rest[1] === 'artifact' && rest.length > 2) {
      const wanted = rest.slice(2).map(decodeURIComponent).join('/');
      const file = build.artifacts?.find(a => a.relativePath === wanted);
      if (!file) return text(404, 'Not Found');
      const bytes = Buffer.from(file.content);
      res.statusCode = 200;
      res.setHeader(
        'Content-Type',
        file.contentType ?? 'application/octet-stream',
      );
      res.setHeader('Content-Length', String(bytes.length));
      return res.end(bytes);
    }
    if (tail === 'logText/progressiveText') {
      const bytes = Buffer.from(build.console, 'utf8');
      let start = Number(query.start ?? 0);
      if (!Number.isFinite(start) || start > bytes.length) start = 0; // rolled over
      let end = bytes.length;
      if (build.building && this.options.chunk) {
        end = Math.min(bytes.length, start + this.options.chunk);
      }
      res.setHeader('X-Text-Size', String(end));
      if (build.building && end < bytes.length)
        res.setHeader('X-More-Data', 'true');
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/plain;charset=utf-8');
      return res.end(bytes.subarray(start, end));
    }
    if (tail === 'wfapi/describe') {
      const href = `${this.jobUrl(job.fullName).slice(this.url.length)}${
        build.number
      }/`;
      let t = build.timestamp;
      return json(200, {
        _links: { self: { href: `${href}wfapi/describe` } },
        id: String(build.number),
        name: `#${build.number}`,
        status: runStatus(build),
        startTimeMillis: build.timestamp,
        endTimeMillis: build.timestamp + build.duration,
        durationMillis: build.duration,
        queueDurationMillis: 4,
        pauseDurationMillis: 0,
        stages: (build.stages ?? []).map((s, n) => {
          const stage = {
            _links: {
              self: {
                href: `${href}execution/node/${6 + n * 7}/wfapi/describe`,
              },
            },
            id: String(6 + n * 7),
            name: s.name,
            execNode: '',
            status: s.status,
            ...(s.status === 'FAILED'
              ? {
                  error: {
                    message: 'script returned exit code 1',
                    type: 'hudson.AbortException',
                  },
                }
              : {}),
            startTimeMillis: t,
            durationMillis: s.durationMillis ?? 1000,
            pauseDurationMillis: 0,
          };
          t += s.durationMillis ?? 1000;
          return stage;
        }),
      });
    }
    return text(404, 'Not Found');
  }
}

/** wfapi's status of a run. */
function runStatus(build: FixtureBuild): string | null {
  if (build.building) return 'IN_PROGRESS';
  return build.result === 'FAILURE' ? 'FAILED' : build.result;
}

/** A console log of the locator's corpus (real failed builds), by file name. */
export function corpusLog(file: string): string {
  return fs.readFileSync(
    resolvePackagePath(
      '@opsdeck/plugin-cicd-backend',
      'src/locator/__fixtures__/corpus',
      path.basename(file),
    ),
    'utf8',
  );
}
