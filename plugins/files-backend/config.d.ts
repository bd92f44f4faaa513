export interface Config {
  opsdeck?: {
    files?: {
      storage?: {
        /** `local` (default): a directory; `s3`: an S3-compatible bucket (`s3` below). */
        type?: 'local' | 's3';
        /** Where uploaded files are kept (relative paths: to the backend's working directory). Default `.data/files`. */
        directory?: string;
        /** The bucket when `type` is `s3`; object key = upload id. */
        s3?: {
          /** Server URL (MinIO, Ceph, ...); unset: AWS S3 of `region`. */
          endpoint?: string;
          bucket: string;
          /** Default `us-east-1`. */
          region?: string;
          /** Bucket in the URL path instead of the host name (most self-hosted servers need it). */
          forcePathStyle?: boolean;
          /**
           * Unset: the AWS SDK's default credential chain.
           * @visibility secret
           */
          accessKeyId?: string;
          /** @visibility secret */
          secretAccessKey?: string;
          /** Preferred multipart part size in bytes (default 8 MiB, at least 5 MiB). */
          partSizeBytes?: number;
        };
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
        /**
         * Directories a target may be in, per catalog environment of the host
         * (`spec.environment`: prod, staging, dev, test); `default` for the
         * others. A target outside them is refused; the directory is also
         * resolved on the host, where no component may be a symbolic link.
         * Default for `default`: /srv, /opt, /data, /var/www, /var/tmp, /tmp.
         */
        allowedRoots?: {
          [environment: string]: string[];
        };
      };
      /** Vault credential for hosts that name none. */
      defaultCredential?: string;
    };
  };
}
