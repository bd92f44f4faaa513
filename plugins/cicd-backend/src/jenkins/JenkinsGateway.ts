import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import {
  type BuildArtifact,
  type BuildResult,
  type BuildStage,
  type BuildSummary,
  MAX_BUILD_ARTIFACTS,
} from '@opsdeck/plugin-cicd-common';
import Jenkins from 'jenkins';
import type { CicdConfig, JenkinsInstanceConfig } from '../config';
import { formatJobRef, JobRef } from './jobRef';
import { readLogTail, LogTail } from './logReader';

/** Basic-auth user and API token of an instance, taken out of the vault at use. */
export type InstanceCredentials = (
  instance: JenkinsInstanceConfig,
  actor?: string,
) => Promise<{ username: string; token: string } | undefined>;

/**
 * The fields read of every build, in the one `tree=` request per job. A
 * build's archived files are Jenkins' exported `artifacts` of a run
 * (`Run.getArtifacts()`: `displayPath`, `fileName`, `relativePath`), at most
 * MAX_BUILD_ARTIFACTS of them (a range, so a build that archived thousands
 * does not swell the answer).
 */
const BUILD_FIELDS = `number,result,building,timestamp,duration,url,actions[lastBuiltRevision[SHA1]],artifacts[displayPath,fileName,relativePath]{0,${MAX_BUILD_ARTIFACTS}}`;

const MULTIBRANCH =
  'org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject';
const FOLDER_CLASSES = [
  MULTIBRANCH,
  'com.cloudbees.hudson.plugins.folder.Folder',
];

const RESULTS: BuildResult[] = [
  'SUCCESS',
  'FAILURE',
  'UNSTABLE',
  'ABORTED',
  'NOT_BUILT',
];

function toResult(raw: any): BuildResult {
  if (raw.building) return 'RUNNING';
  return RESULTS.includes(raw.result) ? raw.result : 'NOT_BUILT';
}

/**
 * A build's web address as Jenkins gave it, if it is http(s): the UI renders
 * it as a link, so a hostile or broken Jenkins must not slip in `javascript:`.
 */
export function safeUrl(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? url.href
      : '';
  } catch {
    return '';
  }
}

function commitOf(raw: any): string | undefined {
  for (const a of Array.isArray(raw.actions) ? raw.actions : []) {
    const sha = a?.lastBuiltRevision?.SHA1;
    if (typeof sha === 'string' && /^[0-9a-f]{7,64}$/.test(sha)) return sha;
  }
  return undefined;
}

/**
 * An artifact path Jenkins gave is used only when it is a plain relative
 * path inside the build's archive: no empty, `.` or `..` segment, no
 * leading `/`, no backslash, no control characters (a hostile Jenkins must
 * not steer the backend's read elsewhere).
 */
export function safeArtifactPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value || value.length > 1024) {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  const parts = value.split('/');
  if (parts.some(p => p === '' || p === '.' || p === '..')) return undefined;
  return value;
}

function artifactsOf(raw: any): BuildArtifact[] | undefined {
  if (!Array.isArray(raw?.artifacts) || !raw.artifacts.length) return undefined;
  const out: BuildArtifact[] = [];
  for (const a of raw.artifacts.slice(0, MAX_BUILD_ARTIFACTS)) {
    const path = safeArtifactPath(a?.relativePath);
    if (!path) continue;
    const name =
      typeof a.displayPath === 'string' && a.displayPath ? a.displayPath : path;
    out.push({ name: name.slice(0, 300), path });
  }
  return out.length ? out : undefined;
}

function summaryOf(
  b: any,
  instance: string,
  path: string,
  branch?: string,
): BuildSummary {
  return {
    job: formatJobRef({ instance, path }),
    instance,
    jobPath: path,
    number: b.number,
    result: toResult(b),
    timestamp: Number(b.timestamp) || 0,
    durationMillis: Number(b.duration) || 0,
    url: safeUrl(b.url),
    branch,
    commit: commitOf(b),
    ...withArtifacts(b),
  };
}

function withArtifacts(raw: any): { artifacts?: BuildArtifact[] } {
  const artifacts = artifactsOf(raw);
  return artifacts ? { artifacts } : {};
}

/** One page of a leaf job's builds (JenkinsGateway.buildPage). */
export interface LeafPage {
  /** `instance:path` of the leaf job. */
  job: string;
  /** The leaf's full name (folders separated by `/`). */
  path: string;
  branch?: string;
  /** Newest first. */
  builds: BuildSummary[];
  /** The page was filled: older builds may follow. */
  full: boolean;
}

/**
 * Talks to the Jenkins instances of `opsdeck.cicd.instances` through the
 * `jenkins` npm client, with credentials from the vault at each call. Reads
 * a job's builds in one request (`tree=` with a range), multibranch branches
 * included.
 */
export class JenkinsGateway {
  constructor(
    private readonly config: CicdConfig,
    private readonly credentials: InstanceCredentials,
    private readonly actor?: string,
  ) {}

  /** The gateway acting on behalf of a person (named to the vault at each use). */
  as(actor: string): JenkinsGateway {
    return new JenkinsGateway(this.config, this.credentials, actor);
  }

  private instance(name: string): JenkinsInstanceConfig {
    const i = this.config.instances.find(x => x.name === name);
    if (!i)
      throw new NotFoundError(`No Jenkins instance "${name}" is configured`);
    return i;
  }

  private async headers(
    instance: JenkinsInstanceConfig,
  ): Promise<Record<string, string>> {
    const c = await this.credentials(instance, this.actor);
    return c
      ? {
          authorization: `Basic ${Buffer.from(
            `${c.username}:${c.token}`,
          ).toString('base64')}`,
        }
      : {};
  }

  private async client(instance: JenkinsInstanceConfig) {
    return new Jenkins({
      baseUrl: instance.baseUrl,
      headers: await this.headers(instance),
      crumbIssuer: true,
      promisify: true,
      timeout: this.config.timeoutMs,
    });
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e: any) {
      const status = e?.statusCode;
      if (status === 404 || e?.notFound)
        throw new NotFoundError(`${what} was not found on Jenkins`);
      throw new ServiceUnavailableError(
        `Jenkins could not answer for ${what}${
          status ? ` (HTTP ${status})` : ''
        }`,
      );
    }
  }

  /** The newest `count` builds of a job (all branches of a multibranch project), newest first. */
  async builds(
    ref: JobRef,
    count: number,
  ): Promise<{ builds: BuildSummary[]; more: boolean }> {
    const instance = this.instance(ref.instance);
    const jenkins = await this.client(instance);
    const range = `{0,${count + 1}}`;
    const tree = `allBuilds[${BUILD_FIELDS}]${range},jobs[name,allBuilds[${BUILD_FIELDS}]${range}]`;
    const raw = await this.call(formatJobRef(ref), () =>
      jenkins.job.get({ name: ref.path, tree }),
    );
    const out: BuildSummary[] = [];
    let more = false;
    const add = (builds: any[], path: string, branch?: string) => {
      if (!Array.isArray(builds)) return;
      if (builds.length > count) more = true;
      for (const b of builds.slice(0, count)) {
        if (typeof b?.number !== 'number') continue;
        out.push(summaryOf(b, ref.instance, path, branch));
      }
    };
    if (FOLDER_CLASSES.includes(raw?._class)) {
      const isMultibranch = raw._class === MULTIBRANCH;
      for (const j of Array.isArray(raw.jobs) ? raw.jobs : []) {
        if (typeof j?.name !== 'string') continue;
        add(
          j.allBuilds,
          `${ref.path}/${j.name}`,
          isMultibranch ? decodeURIComponent(j.name) : undefined,
        );
      }
    } else {
      add(raw?.allBuilds, ref.path);
    }
    out.sort((a, b) => b.timestamp - a.timestamp);
    if (out.length > count) more = true;
    return { builds: out.slice(0, count), more };
  }

  /**
   * One page of the build history of a job, per leaf job (a multibranch
   * project's branches, a folder's jobs; a pipeline is its own leaf): the
   * builds at indexes `from` (inclusive) to `to` (exclusive) of each leaf's
   * `allBuilds`, newest first, in one request (`tree=...{from,to}`).
   * `full` says the leaf had `to - from` builds there (there may be older ones).
   */
  async buildPage(ref: JobRef, from: number, to: number): Promise<LeafPage[]> {
    const instance = this.instance(ref.instance);
    const jenkins = await this.client(instance);
    const range = `{${from},${to}}`;
    const tree = `allBuilds[${BUILD_FIELDS}]${range},jobs[name,allBuilds[${BUILD_FIELDS}]${range}]`;
    const raw = await this.call(formatJobRef(ref), () =>
      jenkins.job.get({ name: ref.path, tree }),
    );
    const leaf = (builds: unknown, path: string, branch?: string): LeafPage => {
      const list = Array.isArray(builds) ? builds : [];
      return {
        job: formatJobRef({ instance: ref.instance, path }),
        path,
        branch,
        full: list.length >= to - from,
        builds: list
          .filter(b => typeof b?.number === 'number')
          .map(b => summaryOf(b, ref.instance, path, branch)),
      };
    };
    if (!FOLDER_CLASSES.includes(raw?._class)) {
      return [leaf(raw?.allBuilds, ref.path)];
    }
    const isMultibranch = raw._class === MULTIBRANCH;
    return (Array.isArray(raw.jobs) ? raw.jobs : [])
      .filter((j: any) => typeof j?.name === 'string')
      .map((j: any) =>
        leaf(
          j.allBuilds,
          `${ref.path}/${j.name}`,
          isMultibranch ? decodeURIComponent(j.name) : undefined,
        ),
      );
  }

  /** One build's summary and parameters. */
  async build(
    ref: JobRef,
    number: number,
  ): Promise<{ summary: BuildSummary; parameters: Record<string, string> }> {
    const instance = this.instance(ref.instance);
    const jenkins = await this.client(instance);
    const raw = await this.call(`${formatJobRef(ref)} #${number}`, () =>
      jenkins.build.get({
        name: ref.path,
        number,
        tree: `${BUILD_FIELDS.replace(
          'actions[',
          'actions[parameters[name,value],',
        )}`,
      }),
    );
    const parameters: Record<string, string> = {};
    for (const a of Array.isArray(raw.actions) ? raw.actions : []) {
      for (const p of Array.isArray(a?.parameters) ? a.parameters : []) {
        if (
          typeof p?.name === 'string' &&
          ['string', 'number', 'boolean'].includes(typeof p.value)
        ) {
          parameters[p.name] = String(p.value);
        }
      }
    }
    return {
      summary: {
        job: formatJobRef(ref),
        instance: ref.instance,
        jobPath: ref.path,
        number: raw.number,
        result: toResult(raw),
        timestamp: Number(raw.timestamp) || 0,
        durationMillis: Number(raw.duration) || 0,
        url: safeUrl(raw.url),
        commit: commitOf(raw),
        ...withArtifacts(raw),
      },
      parameters,
    };
  }

  private buildUrl(
    instance: JenkinsInstanceConfig,
    ref: JobRef,
    number: number,
  ) {
    const job = ref.path
      .split('/')
      .map(p => `job/${encodeURIComponent(p)}`)
      .join('/');
    return `${instance.baseUrl}/${job}/${number}`;
  }

  /** Pipeline stages from wfapi (empty for a job that is not a pipeline). */
  async stages(ref: JobRef, number: number): Promise<BuildStage[]> {
    const instance = this.instance(ref.instance);
    const res = await fetch(
      `${this.buildUrl(instance, ref, number)}/wfapi/describe`,
      {
        headers: await this.headers(instance),
        signal: AbortSignal.timeout(this.config.timeoutMs),
        // Jenkins itself, never where it redirects to
        redirect: 'manual',
      },
    ).catch(() => undefined);
    if (!res?.ok) return [];
    const body: any = await res.json().catch(() => undefined);
    return (Array.isArray(body?.stages) ? body.stages : [])
      .filter((s: any) => typeof s?.name === 'string')
      .map((s: any) => ({
        name: s.name,
        status: typeof s.status === 'string' ? s.status : 'UNKNOWN',
        durationMillis: Number(s.durationMillis) || 0,
      }));
  }

  /**
   * Opens one archived file of a build (`<build>/artifact/<path>`) with the
   * instance's credential, at the instance's own address (never the `url`
   * Jenkins answered with, never following a redirect). The caller checks
   * that `path` is one of the build's artifacts first.
   */
  async openArtifact(
    ref: JobRef,
    number: number,
    path: string,
  ): Promise<{ body: ReadableStream<Uint8Array>; length?: number }> {
    const safe = safeArtifactPath(path);
    if (!safe) throw new NotFoundError('No such artifact');
    const instance = this.instance(ref.instance);
    const file = safe.split('/').map(encodeURIComponent).join('/');
    const res = await fetch(
      `${this.buildUrl(instance, ref, number)}/artifact/${file}`,
      {
        headers: await this.headers(instance),
        signal: AbortSignal.timeout(this.config.artifactTimeoutMs),
        redirect: 'manual',
      },
    ).catch(() => undefined);
    if (res?.status === 404) {
      throw new NotFoundError(`${path} of ${formatJobRef(ref)} #${number}`);
    }
    if (!res?.ok || !res.body) {
      throw new ServiceUnavailableError(
        `Jenkins could not answer for ${formatJobRef(ref)} #${number}${
          res ? ` (HTTP ${res.status})` : ''
        }`,
      );
    }
    const length = Number(res.headers.get('content-length'));
    return {
      body: res.body,
      ...(Number.isSafeInteger(length) && length >= 0 ? { length } : {}),
    };
  }

  /** The tail of a build's console log, read progressively and capped. */
  async log(ref: JobRef, number: number): Promise<LogTail> {
    const instance = this.instance(ref.instance);
    return readLogTail({
      url: `${this.buildUrl(instance, ref, number)}/logText/progressiveText`,
      headers: await this.headers(instance),
      maxLogBytes: this.config.maxLogBytes,
      maxFetchBytes: this.config.maxFetchBytes,
      timeoutMs: this.config.timeoutMs,
    });
  }

  /** Starts the job again with the parameters of a build; returns the queue item id. */
  async rebuild(
    ref: JobRef,
    parameters: Record<string, string>,
  ): Promise<number> {
    const instance = this.instance(ref.instance);
    const jenkins = await this.client(instance);
    return this.call(formatJobRef(ref), () =>
      jenkins.job.build({
        name: ref.path,
        ...(Object.keys(parameters).length ? { parameters } : {}),
      }),
    );
  }
}
