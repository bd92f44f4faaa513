import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { cmdbTranslationRef } from '../translation/translation';
import { durationParts, secondsSince } from './format';

/** Translated duration and age formatting. */
export interface Format {
  duration(seconds: number, precision?: number): string;
  age(iso: string): string;
}

/**
 * Translated duration and age formatting. The return type is spelled out (and
 * `t` is not returned) because declaration emit of an inferred translation
 * function type over this many messages makes tsc run out of memory.
 */
export function useFormat(): Format {
  const { t } = useTranslationRef(cmdbTranslationRef);

  const duration = (seconds: number, precision = 2) =>
    durationParts(seconds, precision)
      .map(([unit, value]) => t(`duration.${unit}`, { value: String(value) }))
      .join(' ');

  const age = (iso: string) =>
    t('duration.ago', { duration: duration(secondsSince(iso), 1) });

  return { duration, age };
}
