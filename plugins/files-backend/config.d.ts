export interface Config {
  opsdeck?: {
    files?: {
      storage?: {
        /** Where uploaded files are kept (relative paths: to the backend's working directory). Default `.data/files`. */
        directory?: string;
        /** Largest upload in bytes (default 20 GiB). */
        maxUploadBytes?: number;
        /** Unfinished uploads are removed after this many hours without progress (default 24). */
        incompleteUploadExpiryHours?: number;
      };
      /** Versions kept per file name; older ones are deleted when a new one arrives. 0 (default) keeps all. */
      keepVersions?: number;
      distribution?: {
        /** Hosts written at once when a request does not say (default 10). */
        defaultConcurrency?: number;
        /** Most hosts written at once that a request may ask for (default 100). */
        maxConcurrency?: number;
        /** Attempts per host before it is reported failed (default 2). */
        attempts?: number;
        /** Limit for the checksum/rename command on one host (default 120 s). */
        commandTimeoutMs?: number;
      };
      /** Vault credential for hosts that name none. */
      defaultCredential?: string;
    };
  };
}
