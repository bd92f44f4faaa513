/**
 * opsdeck's databases: the `sql` backend plugin (review rules, changes with
 * approval, backup and rollback, query console with masking, slow queries).
 *
 * @packageDocumentation
 */
export { sqlPlugin as default } from './plugin';
export { reviewSql } from './review/reviewSql';
export type {
  ReviewResult,
  ReviewFinding,
  ReviewedStatement,
} from './review/reviewSql';
export { RULES } from './review/rules';
