import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { GeneratedBuild } from './OpsdeckMkdocsGenerator';

/**
 * Reports every docs generation to the auditor as `docs-build` (plugin
 * `techdocs`): `entityRef` is the target, `new` tells a first build from an
 * update, `owner` lets the weekly report count docs per team. A build is
 * started by whoever opened the docs or by the scheduler; the TechDocs
 * backend does not pass the person down, so the actor is the techdocs plugin.
 */
export function createDocsAuditor(
  auditor: AuditorService,
  logger: LoggerService,
): (build: GeneratedBuild) => Promise<void> {
  return async build => {
    if (!build.entityRef) return;
    try {
      const event = await auditor.createEvent({
        eventId: 'docs-build',
        severityLevel: 'medium',
        meta: {
          entityRef: build.entityRef,
          owner: build.owner ?? null,
          new: build.isNew ?? false,
          pages: build.pages ?? null,
          siteName: build.siteName ?? null,
        },
      });
      if (build.error) await event.fail({ error: build.error });
      else await event.success();
    } catch (error) {
      logger.warn(
        `Could not audit the docs build of ${build.entityRef}: ${error}`,
      );
    }
  };
}
