import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';

/**
 * A list's page size: `fallback` when not given, else 1 to `max`, refused
 * otherwise with `report-page-size-invalid` (400, with `max`), a code the
 * portal translates (the spec leaves the bounds to this check).
 */
export function pageSizeOf(
  limit: number | undefined,
  max: number,
  fallback: number,
): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw coded(
      new InputError(
        `Invalid 'limit' ${limit}, expected a page size from 1 to ${max}`,
      ),
      'report-page-size-invalid',
      { max },
    );
  }
  return limit;
}
