import type {
  ChangePatch,
  ChangeStatus,
  InstanceException,
  QueryLogEntry,
  SlowQuerySnapshot,
  SqlChange,
  StatementRun,
} from '../model';
import type { SlowQuery } from '../engines/types';

export type {
  Approval,
  ChangePatch,
  ChangeStatus,
  InstanceException,
  QueryLogEntry,
  SlowQuerySnapshot,
  SqlChange,
  StatementBackup,
  StatementRun,
} from '../model';

/** The sql plugin's own tables. */
export interface SqlStore {
  createChange(change: SqlChange): Promise<void>;
  getChange(id: string): Promise<SqlChange | undefined>;
  listChanges(filter: {
    instanceRef?: string;
    limit: number;
  }): Promise<SqlChange[]>;
  /** Sets fields when the status is still `from` (a compare-and-set); false when it was not. */
  updateChange(
    id: string,
    from: ChangeStatus[],
    patch: ChangePatch,
  ): Promise<boolean>;
  /** Ids of `scheduled` changes whose time has come, oldest first. */
  listDueChanges(now: Date, limit: number): Promise<string[]>;
  /** Records that the replica executing the change is alive (only while `executing`). */
  heartbeat(id: string): Promise<void>;
  /** Ids of `executing` changes whose heartbeat is older than `before`. */
  listStaleExecuting(before: Date): Promise<string[]>;
  /**
   * Marks an `executing` change `failed` with `error` if its heartbeat is
   * still older than `before` (a compare-and-set: a live executor wins).
   */
  failStaleExecuting(id: string, before: Date, error: string): Promise<boolean>;
  saveRun(changeId: string, run: StatementRun): Promise<void>;
  listRuns(changeId: string): Promise<StatementRun[]>;
  /**
   * Replaces the instance's latest snapshot with these statements, taken at
   * `at`, and keeps them in the history too.
   */
  saveSlowQuerySnapshot(
    instanceRef: string,
    engine: string,
    statements: SlowQuery[],
    at: Date,
  ): Promise<void>;
  /** Records a failed refresh; the statements of the last success stay. */
  saveSlowQueryError(
    instanceRef: string,
    engine: string,
    error: string,
    at: Date,
  ): Promise<void>;
  getSlowQuerySnapshot(
    instanceRef: string,
  ): Promise<SlowQuerySnapshot | undefined>;
  /** When the kept snapshots of an instance were taken (ISO), newest first. */
  listSlowQueryHistory(instanceRef: string, limit: number): Promise<string[]>;
  /** A kept snapshot, by the time it was taken; undefined when not kept (any more). */
  getSlowQueryHistorySnapshot(
    instanceRef: string,
    takenAt: Date,
  ): Promise<SlowQuerySnapshot | undefined>;
  /** Deletes the kept snapshots taken before `before`; returns how many. */
  pruneSlowQueryHistory(before: Date): Promise<number>;
  logQuery(entry: QueryLogEntry): Promise<void>;
  /** The admin's exception for an instance's privileged read credential, if any. */
  getInstanceException(
    instanceRef: string,
  ): Promise<InstanceException | undefined>;
  setInstanceException(exception: InstanceException): Promise<void>;
  /** Removes it; false when there was none. */
  clearInstanceException(instanceRef: string): Promise<boolean>;
  listQueryLog(filter: {
    instanceRef?: string;
    limit: number;
  }): Promise<QueryLogEntry[]>;
}
