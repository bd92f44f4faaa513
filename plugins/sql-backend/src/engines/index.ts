import type { SqlEngine } from '../parsing';
import { mysqlDriver } from './mysql';
import { postgresDriver } from './postgres';
import type { SqlDriver } from './types';

export function sqlDriver(engine: SqlEngine): SqlDriver {
  return engine === 'postgresql' ? postgresDriver : mysqlDriver;
}
export * from './types';
