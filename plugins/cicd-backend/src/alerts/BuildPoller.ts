import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { JENKINS_JOB_ANNOTATION } from '@opsdeck/plugin-cicd-common';
import type { JenkinsGateway } from '../jenkins/JenkinsGateway';
import { parseJobRef } from '../jenkins/jobRef';
import type { CicdService } from '../service/CicdService';
import type { AlertEngine, ObservedBuild } from './AlertEngine';
import { alertKeyOf, alertTargetOf } from './target';

/**
 * Notices ended builds: at each run (a scheduler task one replica runs at a
 * time) reads the newest builds of every job of every entity annotated
 * `jenkins.io/job-full-name`, with the plugin's own credentials (the vault
 * use `ci-poll`), and hands each leaf job's builds to the alert engine. What
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
      /** Builds read per job and run. */
      buildsPerJob: number;
      appBaseUrl?: string;
    },
  ) {}

  async tick(): Promise<void> {
    const { catalog, auth, service, gateway, engine, logger } = this.options;
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
        try {
          const { builds } = await gateway.builds(
            ref,
            this.options.buildsPerJob,
          );
          // a folder or multibranch project: one job per leaf (branch)
          const byJob = new Map<string, ObservedBuild[]>();
          for (const b of builds) {
            const list = byJob.get(b.job) ?? [];
            list.push(b);
            byJob.set(b.job, list);
          }
          for (const [job, list] of byJob) {
            const leaf = parseJobRef(job, ref.instance);
            await engine.observe(
              target,
              alertKeyOf(target.entityRef, job),
              job,
              list,
              {
                firstNotice: 'silent',
                locate: build => service.locateTop(leaf, build.number),
              },
            );
          }
        } catch (e) {
          logger.warn(
            `CI/CD alerts: ${target.entityRef} ${ref.instance}:${ref.path}: ${
              (e as Error).message
            }`,
          );
        }
      }
    }
  }
}
