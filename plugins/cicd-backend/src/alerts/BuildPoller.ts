import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { JENKINS_JOB_ANNOTATION } from '@opsdeck/plugin-cicd-common';
import type { JenkinsGateway, LeafPage } from '../jenkins/JenkinsGateway';
import { parseJobRef } from '../jenkins/jobRef';
import type { CicdService } from '../service/CicdService';
import type { AlertEngine, AlertTarget } from './AlertEngine';
import { newBuilds } from './catchUp';
import { alertKeyOf, alertTargetOf } from './target';

/**
 * Notices ended builds: at each run (a scheduler task one replica runs at a
 * time) reads the builds of every job of every entity annotated
 * `jenkins.io/job-full-name` that ended since the last run, with the
 * plugin's own credentials (the vault use `ci-poll`): one request for the
 * newest page of every leaf job, then, for a leaf with more new builds,
 * further pages (`allBuilds{from,to}`) until a build already seen, capped
 * per poll (see catchUp.ts), and hands each leaf job's builds to the alert
 * engine. What
 * was seen is in the database (cicd_job_state), so a restart sends nothing
 * twice and the first notice of a job alerts nothing.
 */
export class BuildPoller {
  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      service: CicdService;
      /** The gateway without a person (the poller's own use of the vault). */
      gateway: JenkinsGateway;
      engine: AlertEngine;
      logger: LoggerService;
      /** Builds per request (the first page of every job and each further page). */
      buildsPerJob: number;
      /** Builds read per job and poll beyond the first page (the catch-up cap). */
      maxBuildsPerPoll: number;
      appBaseUrl?: string;
    },
  ) {}

  async tick(): Promise<void> {
    const { catalog, auth, service, gateway, logger } = this.options;
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${JENKINS_JOB_ANNOTATION}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials },
    );
    for (const entity of items) {
      if (!entity.metadata.annotations?.[JENKINS_JOB_ANNOTATION]) continue;
      const target = alertTargetOf(entity, this.options.appBaseUrl);
      let jobs;
      try {
        jobs = service.jobsOf(entity);
      } catch (e) {
        logger.warn(
          `CI/CD alerts: ${target.entityRef}: ${(e as Error).message}`,
        );
        continue;
      }
      for (const ref of jobs) {
        let leaves;
        try {
          leaves = await gateway.buildPage(ref, 0, this.options.buildsPerJob);
        } catch (e) {
          logger.warn(
            `CI/CD alerts: ${target.entityRef} ${ref.instance}:${ref.path}: ${
              (e as Error).message
            }`,
          );
          continue;
        }
        // a folder or multibranch project: one job per leaf (branch)
        for (const first of leaves) {
          try {
            await this.catchUp(target, ref.instance, first);
          } catch (e) {
            // the leaf's cursor stays where it was: the next poll reads again
            logger.warn(
              `CI/CD alerts: ${target.entityRef} ${first.job}: ${
                (e as Error).message
              }`,
            );
          }
        }
      }
    }
  }

  /** Reads what one leaf job built since the last poll and hands it to the engine. */
  private async catchUp(
    target: AlertTarget,
    instance: string,
    first: LeafPage,
  ): Promise<void> {
    const { service, gateway, engine, logger } = this.options;
    const jobKey = alertKeyOf(target.entityRef, first.job);
    const leaf = parseJobRef(first.job, instance);
    const { builds, complete } = await newBuilds(
      first,
      await engine.lastSeen(jobKey),
      async (from, to) => {
        // the leaf alone: a branch is then a pipeline of its own
        const page = (await gateway.buildPage(leaf, from, to)).find(
          p => p.job === first.job,
        );
        return (
          page && {
            ...page,
            builds: page.builds.map(b => ({ ...b, branch: first.branch })),
          }
        );
      },
      {
        pageSize: this.options.buildsPerJob,
        maxBuilds: this.options.maxBuildsPerPoll,
      },
    );
    if (!complete) {
      logger.warn(
        `CI/CD alerts: ${target.entityRef} ${first.job}: more than ${this.options.maxBuildsPerPoll} builds arrived while reading; trying again next poll`,
      );
      return;
    }
    await engine.observe(target, jobKey, first.job, builds, {
      firstNotice: 'silent',
      locate: build => service.locateTop(leaf, build.number),
      instance: leaf.instance,
    });
  }
}
