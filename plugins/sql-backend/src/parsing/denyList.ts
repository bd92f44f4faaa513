import type { SqlEngine } from './types';

/** Why a function is denied; each family is a review rule too. */
export type DenyFamily =
  | 'server-files'
  | 'server-programs'
  | 'sessions'
  | 'sleep'
  | 'locks'
  | 'dynamic-sql'
  | 'settings';

/** The review rule that refuses a family's functions in changes. */
export const FAMILY_RULE: Record<DenyFamily, string> = {
  'server-files': 'server-files-and-programs',
  'server-programs': 'server-files-and-programs',
  sessions: 'sleep-kill-or-lock',
  sleep: 'sleep-kill-or-lock',
  locks: 'sleep-kill-or-lock',
  'dynamic-sql': 'dynamic-sql',
  settings: 'session-settings',
};

/** Functions neither the console nor a change may call, per engine. */
export interface DeniedFunctions {
  engine: SqlEngine;
  family: DenyFamily;
  /** What they do that a read (or a reviewed change) must not. */
  why: string;
  names: string[];
}

export const DENIED_FUNCTIONS: DeniedFunctions[] = [
  {
    engine: 'postgresql',
    family: 'server-files',
    why: 'read, list or write files on the database server, or its large objects (server-side lo_* functions)',
    names: [
      'pg_read_file',
      'pg_read_binary_file',
      'pg_stat_file',
      'pg_ls_dir',
      'pg_ls_logdir',
      'pg_ls_waldir',
      'pg_ls_tmpdir',
      'pg_ls_archive_statusdir',
      'pg_ls_logicalsnapdir',
      'pg_ls_logicalmapdir',
      'pg_ls_replslotdir',
      'pg_current_logfile',
      'pg_file_write',
      'pg_file_rename',
      'pg_file_unlink',
      'pg_file_sync',
      'pg_logdir_ls',
      'lo_import',
      'lo_export',
      'lo_from_bytea',
      'lo_put',
      'lo_get',
      'lo_create',
      'lo_creat',
      'lo_unlink',
      'lo_open',
      'lo_close',
      'loread',
      'lowrite',
      'lo_truncate',
      'lo_truncate64',
      'lo_lseek',
      'lo_lseek64',
      'lo_tell',
      'lo_tell64',
    ],
  },
  {
    engine: 'postgresql',
    family: 'server-programs',
    why: 'connect to other servers (dblink) or administer the server: configuration reload, log rotation, WAL, backups, replication slots, statistics resets',
    names: [
      'dblink',
      'dblink_exec',
      'dblink_connect',
      'dblink_connect_u',
      'dblink_open',
      'dblink_fetch',
      'dblink_send_query',
      'dblink_get_result',
      'pg_reload_conf',
      'pg_rotate_logfile',
      'pg_promote',
      'pg_switch_wal',
      'pg_create_restore_point',
      'pg_backup_start',
      'pg_backup_stop',
      'pg_start_backup',
      'pg_stop_backup',
      'pg_wal_replay_pause',
      'pg_wal_replay_resume',
      'pg_create_physical_replication_slot',
      'pg_create_logical_replication_slot',
      'pg_drop_replication_slot',
      'pg_copy_physical_replication_slot',
      'pg_copy_logical_replication_slot',
      'pg_replication_origin_create',
      'pg_replication_origin_drop',
      'pg_logical_emit_message',
      'pg_logical_slot_get_changes',
      'pg_logical_slot_get_binary_changes',
      'pg_logical_slot_peek_changes',
      'pg_import_system_collations',
      'pg_stat_reset',
      'pg_stat_reset_shared',
      'pg_stat_reset_single_table_counters',
      'pg_stat_reset_single_function_counters',
      'pg_stat_reset_slru',
      'pg_stat_statements_reset',
      'pg_log_backend_memory_contexts',
    ],
  },
  {
    engine: 'postgresql',
    family: 'sessions',
    why: 'end or interrupt other sessions',
    names: ['pg_terminate_backend', 'pg_cancel_backend'],
  },
  {
    engine: 'postgresql',
    family: 'sleep',
    why: 'hold a connection doing nothing',
    names: ['pg_sleep', 'pg_sleep_for', 'pg_sleep_until'],
  },
  {
    engine: 'postgresql',
    family: 'locks',
    why: 'take or release advisory locks other sessions wait on',
    names: [
      'pg_advisory_lock',
      'pg_advisory_lock_shared',
      'pg_advisory_xact_lock',
      'pg_advisory_xact_lock_shared',
      'pg_try_advisory_lock',
      'pg_try_advisory_lock_shared',
      'pg_try_advisory_xact_lock',
      'pg_try_advisory_xact_lock_shared',
      'pg_advisory_unlock',
      'pg_advisory_unlock_shared',
      'pg_advisory_unlock_all',
    ],
  },
  {
    engine: 'postgresql',
    family: 'dynamic-sql',
    why: 'run SQL given as a string, which the review never sees',
    names: [
      'query_to_xml',
      'query_to_xmlschema',
      'query_to_xml_and_xmlschema',
      'cursor_to_xml',
      'cursor_to_xmlschema',
      'ts_stat',
    ],
  },
  {
    engine: 'postgresql',
    family: 'settings',
    why: 'change session settings (set_config can turn off standard_conforming_strings, change the search path or the role)',
    names: ['set_config'],
  },
  {
    engine: 'mysql',
    family: 'server-files',
    why: 'read files on the database server',
    names: ['load_file'],
  },
  {
    engine: 'mysql',
    family: 'server-programs',
    why: 'run programs on the database server (lib_mysqludf_sys user-defined functions)',
    names: ['sys_exec', 'sys_eval', 'sys_get', 'sys_set'],
  },
  {
    engine: 'mysql',
    family: 'sleep',
    why: 'hold a connection doing nothing or burn CPU, or wait for replication',
    names: [
      'sleep',
      'benchmark',
      'master_pos_wait',
      'master_gtid_wait',
      'source_pos_wait',
      'wait_for_executed_gtid_set',
      'wait_until_sql_thread_after_gtids',
    ],
  },
  {
    engine: 'mysql',
    family: 'locks',
    why: 'take or release named locks other sessions wait on',
    names: ['get_lock', 'release_lock', 'release_all_locks'],
  },
];

/** Clauses and statements the console refuses, per engine (shown on the rules page). */
export const DENIED_CLAUSES: {
  /** Stable name, for translated texts. */
  key: string;
  engine: SqlEngine;
  clause: string;
  why: string;
}[] = [
  {
    key: 'pg-not-select',
    engine: 'postgresql',
    clause: 'anything but SELECT / VALUES / TABLE',
    why: 'changes go through reviewed changes',
  },
  {
    key: 'pg-copy',
    engine: 'postgresql',
    clause: 'COPY (TO/FROM a file, PROGRAM, STDIN/STDOUT)',
    why: 'reads or writes server files or runs programs',
  },
  {
    key: 'pg-select-into',
    engine: 'postgresql',
    clause: 'SELECT ... INTO',
    why: 'creates a table',
  },
  {
    key: 'pg-locking',
    engine: 'postgresql',
    clause: 'FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE',
    why: 'locks rows other sessions wait on',
  },
  {
    key: 'pg-writing-cte',
    engine: 'postgresql',
    clause: 'WITH x AS (INSERT / UPDATE / DELETE / MERGE ...)',
    why: 'writes data',
  },
  {
    key: 'my-not-select',
    engine: 'mysql',
    clause: 'anything but SELECT',
    why: 'changes go through reviewed changes',
  },
  {
    key: 'my-into',
    engine: 'mysql',
    clause: 'SELECT ... INTO OUTFILE / DUMPFILE / @variable',
    why: 'writes server files or session state',
  },
  {
    key: 'my-load-data',
    engine: 'mysql',
    clause: 'LOAD DATA, LOAD XML',
    why: 'reads server or client files',
  },
  {
    key: 'my-locking',
    engine: 'mysql',
    clause: 'FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE',
    why: 'locks rows other sessions wait on',
  },
  {
    key: 'my-sessions',
    engine: 'mysql',
    clause: 'KILL, DO, HANDLER, CALL, PREPARE / EXECUTE',
    why: 'ends sessions, runs expressions or SQL the review never sees',
  },
  {
    key: 'my-executable-comments',
    engine: 'mysql',
    clause: 'executable comments /*! ... */, /*!NNNNN ... */, /*M! ... */',
    why: 'read as the server reads them: what they hide is checked like the rest',
  },
];

const BY_NAME = new Map<string, DeniedFunctions>();
for (const entry of DENIED_FUNCTIONS) {
  for (const name of entry.names) BY_NAME.set(`${entry.engine}:${name}`, entry);
}

/** The deny-list entry of a function name (any case), if denied. */
export function deniedFunction(
  engine: SqlEngine,
  name: string,
): DeniedFunctions | undefined {
  return BY_NAME.get(`${engine}:${name.toLowerCase()}`);
}
