import type {
  Distribution,
  DistributionHost,
  DistributionWithHosts,
  HostProgress,
  HostState,
} from './types';

export type NewDistribution = Omit<
  Distribution,
  'id' | 'status' | 'createdAt' | 'finishedAt'
>;

export type NewDistributionHost = Pick<
  DistributionHost,
  'host' | 'address' | 'port' | 'loginUser' | 'credential' | 'environment'
>;

/** Distributions and the state of each of their hosts. */
export interface DistributionStore {
  create(
    distribution: NewDistribution,
    hosts: NewDistributionHost[],
  ): Promise<DistributionWithHosts>;
  get(id: string): Promise<DistributionWithHosts | undefined>;
  /** Newest first, without hosts but with counts per state. */
  list(
    limit?: number,
  ): Promise<(Distribution & { counts: Record<HostState, number> })[]>;
  updateHost(id: string, host: string, progress: HostProgress): Promise<void>;
  /**
   * Puts hosts in one of `states` back to `pending` (retry, or resume after
   * a restart) and marks the distribution running; returns how many.
   */
  requeueHosts(id: string, states: HostState[]): Promise<number>;
  finish(id: string): Promise<void>;
  /** Distributions that were running when the process stopped. */
  listRunning(): Promise<Distribution[]>;
}
