import { InputError, NotFoundError } from '@backstage/errors';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  BuildDetail,
  BuildPage,
  CauseDefinition,
  CauseInput,
  CI_INTAKE_ANNOTATION,
  FlakyCause,
  JENKINS_JOB_ANNOTATION,
  ListedCause,
  LocateResult,
  Timeline,
} from '@opsdeck/plugin-cicd-common';
import type { LocatedTop } from '../alerts/AlertEngine';
import type { AlertStore } from '../database/AlertStore';
import type { CicdConfig } from '../config';
import type { DeploymentStore } from '../database/DeploymentStore';
import { IntakeStore, parseIntakeJobRef } from '../database/IntakeStore';
import { mergeTimeline } from './timeline';
import type { JenkinsGateway } from '../jenkins/JenkinsGateway';
import {
  formatJobRef,
  JobRef,
  parseJobAnnotation,
  parseJobRef,
} from '../jenkins/jobRef';
import { stripControl } from '../locator/consoleLog';
import { FailureLocator } from '../locator/locator';
import type { KnowledgeBase } from './knowledge';

const FAILED = ['FAILURE', 'UNSTABLE', 'ABORTED'];
/** Context lines shown around each located line. */
const CONTEXT = 3;
/** Last lines shown when no cause matched (to add one from). */
const TAIL = 30;
const MAX_EXCERPT = 400;
const CACHE_SIZE = 200;
/** Builds and deployments a delivery timeline shows (the newest). */
const TIMELINE_BUILDS = 50;
const TIMELINE_DEPLOYMENTS = 100;

/**
 * The CI/CD domain: an entity's jobs (from its annotation), their builds a
 * page at a time, a build's detail with the causes the locator finds in its
 * console log, and rebuilds.
 */
export class CicdService {
  private readonly located = new Map<
    string,
    { located: LocateResult; excerpt: BuildDetail['excerpt'] }
  >();

  constructor(
    private readonly options: {
      config: CicdConfig;
      gateway: JenkinsGateway;
      knowledge: KnowledgeBase;
      /** Builds other CI systems posted (the signed intake webhook). */
      intake?: IntakeStore;
      /** Deployments CD systems posted (the signed deploy webhook). */
      deployments?: DeploymentStore;
      /** The alerting's memory (flaky cause counts). */
      alerts?: AlertStore;
    },
  ) {}

  /**
   * Flaky causes of the entity's builds: per located cause, how often a
   * failed main-branch build was directly followed by a success of the same
   * job (counted by the alerting), with the cause's title.
   */
  async flaky(entity: Entity): Promise<FlakyCause[]> {
    const counts =
      (await this.options.alerts?.flaky(entityRefOf(entity))) ?? [];
    if (!counts.length) return [];
    const causes = await this.options.knowledge.list();
    return counts.map(c => {
      const known = causes.find(k => k.id === c.cause);
      return {
        cause: c.cause,
        count: c.count,
        ...(known ? { title: known.title, category: known.category } : {}),
      };
    });
  }

  /**
   * The top located cause of a failed Jenkins build and its first line, read
   * with the plugin's own credentials (the alert poller: no person asks).
   */
  async locateTop(
    ref: JobRef,
    number: number,
  ): Promise<LocatedTop | undefined> {
    const gateway = this.options.gateway;
    const [stages, log] = await Promise.all([
      gateway.stages(ref, number),
      gateway.log(ref, number),
    ]);
    return this.locateText(log.text, {
      stages,
      firstLine: log.firstLine,
      truncated: log.truncated,
    });
  }

  /** The top located cause of a console log and its first line. */
  async locateText(
    text: string,
    options: {
      stages?: BuildDetail['stages'];
      firstLine: number;
      truncated: boolean;
    },
  ): Promise<LocatedTop | undefined> {
    const located = await (
      await this.options.knowledge.locator()
    ).locate(text, options);
    return topOf(located, text, options.firstLine);
  }

  /** The jobs an entity names (refuses an annotation it cannot parse). */
  jobsOf(entity: Entity): JobRef[] {
    return parseJobAnnotation(
      entity.metadata.annotations?.[JENKINS_JOB_ANNOTATION],
      this.options.config.defaultInstance,
    );
  }

  /**
   * Resolves a job reference the caller sends against the entity's jobs: a
   * job of the annotation, or a branch of one of its multibranch projects /
   * a job inside one of its folders. Anything else is not this entity's.
   */
  ownJob(entity: Entity, job: string): JobRef {
    const ref = parseJobRef(job, this.options.config.defaultInstance);
    const allowed = this.jobsOf(entity).some(
      j =>
        j.instance === ref.instance &&
        (j.path === ref.path || ref.path.startsWith(`${j.path}/`)),
    );
    if (!allowed) {
      throw new NotFoundError(
        `${formatJobRef(ref)} is not a job of this entity`,
      );
    }
    return ref;
  }

  async builds(
    actor: string,
    entity: Entity,
    page: number,
    limit: number,
  ): Promise<BuildPage> {
    const gateway = this.options.gateway.as(actor);
    const jobs = this.jobsOf(entity);
    const need = (page + 1) * limit;
    // builds other CI systems posted for the entity (one more: is there more)
    const posted =
      (await this.options.intake?.list(entityRefOf(entity), need + 1)) ?? [];
    if (
      !jobs.length &&
      !posted.length &&
      !entity.metadata.annotations?.[CI_INTAKE_ANNOTATION]
    ) {
      throw new InputError(
        `The entity has no ${JENKINS_JOB_ANNOTATION} annotation`,
      );
    }
    const results = await Promise.all(
      jobs.map(async ref => {
        try {
          return { ref, ...(await gateway.builds(ref, need)) };
        } catch (e) {
          return { ref, error: (e as Error).message };
        }
      }),
    );
    const all = [
      ...results.flatMap(r => ('builds' in r ? r.builds : [])),
      ...posted,
    ];
    all.sort((a, b) => b.timestamp - a.timestamp);
    return {
      builds: all.slice(page * limit, need),
      errors: results.flatMap(r =>
        'error' in r ? [{ job: formatJobRef(r.ref), message: r.error! }] : [],
      ),
      more: all.length > need || results.some(r => 'more' in r && r.more),
    };
  }

  /**
   * The entity's delivery timeline: its newest builds (Jenkins and posted,
   * as the builds list reads them, with the caller's rights), what the
   * posted ones produced and its newest deployments, oldest first.
   */
  async timeline(actor: string, entity: Entity): Promise<Timeline> {
    const ref = entityRefOf(entity);
    const [page, artifacts, deployments] = await Promise.all([
      this.builds(actor, entity, 0, TIMELINE_BUILDS),
      this.options.intake?.artifacts(ref, TIMELINE_BUILDS) ?? new Map(),
      this.options.deployments?.list(ref, TIMELINE_DEPLOYMENTS) ?? [],
    ]);
    return {
      items: mergeTimeline(page.builds, artifacts, deployments),
      errors: page.errors,
    };
  }

  async detail(
    actor: string,
    entity: Entity,
    job: string,
    number: number,
  ): Promise<BuildDetail> {
    const intake = parseIntakeJobRef(job);
    if (intake) return this.intakeDetail(entity, intake, number);
    const ref = this.ownJob(entity, job);
    const gateway = this.options.gateway.as(actor);
    const [{ summary }, stages] = await Promise.all([
      gateway.build(ref, number),
      gateway.stages(ref, number),
    ]);
    const detail: BuildDetail = { ...summary, stages, excerpt: [] };
    if (!FAILED.includes(summary.result)) return detail;
    // the stored causes are part of the key: a cause added or deleted (on
    // any replica) locates the build again
    const locator = await this.options.knowledge.locator();
    const key = `${formatJobRef(ref)}#${number}@${locator.signature}`;
    let found = this.located.get(key);
    if (!found) {
      const log = await gateway.log(ref, number);
      const located = await locator.locate(log.text, {
        stages,
        firstLine: log.firstLine,
        truncated: log.truncated,
      });
      found = { located, excerpt: excerptOf(log.text, log.firstLine, located) };
      this.located.set(key, found);
      if (this.located.size > CACHE_SIZE) {
        this.located.delete(this.located.keys().next().value!);
      }
    }
    return { ...detail, located: found.located, excerpt: found.excerpt };
  }

  /** A build another CI system posted, with the causes located in its log. */
  private async intakeDetail(
    entity: Entity,
    ref: { system: string; job: string },
    number: number,
  ): Promise<BuildDetail> {
    const found = await this.options.intake?.get(
      entityRefOf(entity),
      ref.system,
      ref.job,
      number,
    );
    if (!found) {
      throw new NotFoundError(
        `No build #${number} of ${ref.system} ${ref.job}`,
      );
    }
    const detail: BuildDetail = { ...found.summary, stages: [], excerpt: [] };
    if (!FAILED.includes(found.summary.result)) return detail;
    const locator = await this.options.knowledge.locator();
    const located = await locator.locate(found.log, {
      firstLine: 1,
      truncated: found.truncated,
    });
    return {
      ...detail,
      located,
      excerpt: excerptOf(found.log, 1, located),
    };
  }

  /**
   * Opens an archived file of one of the entity's Jenkins builds, read with
   * the person's credential: only a path the build itself lists among its
   * artifacts (read again from Jenkins, so a build the person cannot read,
   * or a path it does not list, is refused before any file is read).
   */
  async artifact(
    actor: string,
    entity: Entity,
    job: string,
    number: number,
    path: string,
  ) {
    if (parseIntakeJobRef(job)) {
      throw new NotFoundError('Posted builds link to their artifacts');
    }
    const ref = this.ownJob(entity, job);
    const gateway = this.options.gateway.as(actor);
    const { summary } = await gateway.build(ref, number);
    const artifact = summary.artifacts?.find(a => a.path === path);
    if (!artifact) {
      throw new NotFoundError(
        `${formatJobRef(ref)} #${number} has no artifact ${path}`,
      );
    }
    const opened = await gateway.openArtifact(ref, number, artifact.path!);
    return {
      ...opened,
      fileName: artifact.path!.split('/').pop()!,
      maxBytes: this.options.config.artifactMaxBytes,
    };
  }

  /** Starts the build's job again with its parameters; returns the queue item. */
  async rebuild(actor: string, entity: Entity, job: string, number: number) {
    const ref = this.ownJob(entity, job);
    const gateway = this.options.gateway.as(actor);
    const { parameters } = await gateway.build(ref, number);
    const queueId = await gateway.rebuild(ref, parameters);
    return { job: formatJobRef(ref), queueId };
  }

  /** Runs a candidate cause against a log (InvalidPatternError for what RE2 refuses). */
  tryCause(
    cause: Pick<CauseDefinition, 'patterns' | 'indications' | 'testName'>,
    log: string,
  ): { lines: number[]; tests: string[] } {
    const locator = new FailureLocator([
      {
        ...cause,
        id: 'candidate',
        category: 'runtime',
        title: { en: 'candidate', 'zh-CN': 'candidate' },
        weight: 1,
        runbook: '',
      },
    ]);
    const found = locator.locate(log).causes[0];
    return { lines: found?.lines ?? [], tests: found?.tests ?? [] };
  }

  /** The knowledge base: built-in causes, then stored ones. */
  causes(): Promise<ListedCause[]> {
    return this.options.knowledge.list();
  }

  /** Stores a cause a person adds (InputError for what cannot be used). */
  addCause(input: CauseInput, actor: string): Promise<ListedCause> {
    return this.options.knowledge.add(input, actor);
  }

  /** Deletes a stored cause; returns it. */
  deleteCause(id: string): Promise<ListedCause> {
    return this.options.knowledge.delete(id);
  }
}

/** An entity's ref as the intake stores it (lower case). */
export function entityRefOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}

function topOf(
  located: LocateResult,
  text: string,
  firstLine: number,
): LocatedTop | undefined {
  const cause = located.causes[0];
  if (!cause) return undefined;
  const n = cause.lines[0];
  if (n === undefined || n < firstLine) return { cause };
  let start = 0;
  for (let i = firstLine; i < n && start >= 0; i++) {
    start = text.indexOf('\n', start);
    if (start >= 0) start++;
  }
  if (start < 0) return { cause };
  const end = text.indexOf('\n', start);
  const line = stripControl(text.slice(start, end < 0 ? undefined : end));
  return { cause, line: { number: n, text: line.slice(0, 2000) } };
}

function excerptOf(
  text: string,
  firstLine: number,
  located: LocateResult,
): BuildDetail['excerpt'] {
  const wanted = new Set<number>();
  for (const c of located.causes.slice(0, 3)) {
    for (const n of c.lines.slice(0, 20)) {
      for (let k = n - CONTEXT; k <= n + CONTEXT; k++) wanted.add(k);
    }
  }
  const numbers = [...wanted]
    .filter(n => n >= firstLine)
    .sort((a, b) => a - b)
    .slice(0, MAX_EXCERPT);
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!located.causes.length) {
    // nothing matched: the last lines, where a person can pick one to add a cause
    const from = Math.max(0, lines.length - TAIL);
    for (let i = from; i < lines.length; i++) numbers.push(i + firstLine);
  }
  if (!numbers.length) return [];
  return numbers
    .filter(n => n - firstLine < lines.length)
    .map(n => ({
      line: n,
      text: stripControl(lines[n - firstLine]).slice(0, 2000),
    }));
}
