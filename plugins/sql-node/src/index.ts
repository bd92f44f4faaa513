/**
 * opsdeck's shared database-instance helpers for backend plugins: read a
 * catalog database entity, connect with its vault credential (PostgreSQL via
 * pg, MariaDB/MySQL via mysql2) and create least-privilege accounts.
 *
 * @packageDocumentation
 */
export {
  adminLogin,
  databaseInstanceFromEntity,
  instanceLogin,
  type ConnectionTarget,
  type DatabaseInstance,
  type InstanceAddress,
  type SqlEngine,
  type SqlLogin,
} from './instance';
export {
  connectSql,
  openMysqlConnection,
  openPostgresClient,
  withSqlConnection,
  type DriverOptions,
  type SqlConnection,
} from './connect';
export {
  accountName,
  checkAccount,
  dropAccount,
  ensureAccount,
  generatePassword,
  tablePrivileges,
  type AccountRequest,
  type Privilege,
  type TablePrivilege,
} from './accounts';
