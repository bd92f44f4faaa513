/** One stored version of a library file. */
export type FileVersion = {
  id: string;
  name: string;
  version: number;
  size: number;
  sha256: string;
  /** Key of the bytes in the upload store. */
  storageKey: string;
  /** Entity ref of the user who uploaded it. */
  uploader: string;
  ownerGroup?: string;
  createdAt: string;
};

export type HostState =
  | 'pending'
  | 'transferring'
  | 'verifying'
  | 'verified'
  | 'failed';

/** Where a distribution goes on one host, and how far it got. */
export type DistributionHost = {
  /** Entity ref of the catalog host. */
  host: string;
  position: number;
  address: string;
  port: number;
  loginUser?: string;
  credential?: string;
  /** The host's catalog environment (`spec.environment`): picks its allowed target roots. */
  environment?: string;
  /** Random name of the host's temporary copy in the target's directory, once chosen. */
  tempName?: string;
  state: HostState;
  bytes: number;
  /** Bytes per second of the last (or running) transfer. */
  rate: number;
  attempts: number;
  error?: string;
  /** Stable code of a refused target (files-target-symlink …), beside `error`. */
  errorCode?: string;
  startedAt?: string;
  finishedAt?: string;
};

export type DistributionStatus = 'running' | 'done';

export type DistributionStrategy = 'direct' | 'relay' | 'relay-tree';

export type Distribution = {
  id: string;
  fileId: string;
  fileName: string;
  fileVersion: number;
  size: number;
  sha256: string;
  targetPath: string;
  fileMode?: number;
  fileOwner?: string;
  /** direct: opsdeck writes every host; relay: hosts pass the stream down a chain; relay-tree: down a binary tree. */
  strategy: DistributionStrategy;
  concurrency: number;
  status: DistributionStatus;
  createdBy: string;
  createdAt: string;
  finishedAt?: string;
};

export type DistributionWithHosts = Distribution & {
  hosts: DistributionHost[];
};

/** Progress of one host as the runner reports it. */
export type HostProgress = Partial<
  Pick<
    DistributionHost,
    | 'state'
    | 'bytes'
    | 'rate'
    | 'attempts'
    | 'error'
    | 'errorCode'
    | 'startedAt'
    | 'finishedAt'
    | 'tempName'
  >
>;
