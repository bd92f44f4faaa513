import type { AlertTarget, LocatedTop, ObservedBuild } from './AlertEngine';

/** What a notification says (the Backstage notification payload). */
export interface AlertMessage {
  title: string;
  description: string;
  severity: 'high' | 'normal';
  link?: string;
}

const MAX_LINE = 300;

function entityName(entityRef: string): string {
  return entityRef.slice(entityRef.lastIndexOf('/') + 1);
}

/**
 * A failed build: the entity, job and number, then the located top cause
 * (title, category), its first line in the console and the build's link.
 */
export function failureMessage(
  target: AlertTarget,
  job: string,
  build: ObservedBuild,
  top: LocatedTop | undefined,
): AlertMessage {
  const lines = [
    top
      ? `Cause: ${top.cause.title.en} [${top.cause.category}]`
      : 'Cause: no known cause matched the console log',
  ];
  if (top?.line) {
    lines.push(
      `Line ${top.line.number}: ${top.line.text.slice(0, MAX_LINE).trim()}`,
    );
  }
  if (top?.cause.runbook) lines.push(`Runbook: ${top.cause.runbook}`);
  if (build.url) lines.push(`Build: ${build.url}`);
  return {
    title: `Build failed: ${entityName(target.entityRef)} ${job} #${
      build.number
    }${build.branch ? ` (${build.branch})` : ''}`,
    description: lines.join('\n'),
    severity: 'high',
    ...(target.link ? { link: target.link } : {}),
  };
}

/** A main branch that failed builds green again. */
export function recoveryMessage(
  target: AlertTarget,
  job: string,
  build: ObservedBuild,
): AlertMessage {
  return {
    title: `Build fixed: ${entityName(target.entityRef)} ${job} #${
      build.number
    }${build.branch ? ` (${build.branch})` : ''}`,
    description: build.url ? `Build: ${build.url}` : 'The build succeeded.',
    severity: 'normal',
    ...(target.link ? { link: target.link } : {}),
  };
}
