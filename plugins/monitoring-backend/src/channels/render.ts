import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';

/**
 * An alert state as a message: a title and lines of plain text. Values come
 * from Prometheus labels and annotations, which anyone who can label a target
 * or write a rule controls: they are flattened to one line and stripped of
 * markdown and HTML control characters, so they cannot add links, mentions or
 * markup to a robot message.
 */
export interface RenderedAlert {
  title: string;
  lines: string[];
  firing: boolean;
}

// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;
const MARKUP = /[<>[\]()`*_#|!~@\\]/g;

/** One line of plain text from an untrusted value, at most `max` characters. */
export function plain(value: string | undefined, max = 300): string {
  const text = (value ?? '')
    .replace(CONTROL, ' ')
    .replace(MARKUP, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function renderAlert(event: AlertEvent): RenderedAlert {
  const firing = event.status === 'firing';
  const state = firing ? '告警 FIRING' : '恢复 RESOLVED';
  const subject = plain(event.labels.opsdeck_name ?? event.entityRef ?? '');
  const title = `[${state}] ${plain(event.alertname, 120)}${
    subject ? ` · ${subject}` : ''
  }${event.test ? ' (test)' : ''}`;
  const lines: string[] = [];
  if (event.summary) lines.push(plain(event.summary, 500));
  if (event.annotations.description) {
    lines.push(plain(event.annotations.description, 500));
  }
  if (event.severity) lines.push(`severity: ${plain(event.severity, 64)}`);
  if (event.entityRef) lines.push(`entity: ${plain(event.entityRef)}`);
  if (event.owner) lines.push(`owner: ${plain(event.owner)}`);
  lines.push(`started: ${plain(event.startsAt)}`);
  if (!firing && event.endsAt) lines.push(`ended: ${plain(event.endsAt)}`);
  return { title, lines, firing };
}
