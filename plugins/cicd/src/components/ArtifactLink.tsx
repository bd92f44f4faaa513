import { useState } from 'react';
import { Link, Typography } from '@material-ui/core';
import type { EntityName } from '../api';
import { useCicdClient, useT } from './useCicd';

/**
 * A Jenkins build's archived file: downloaded through opsdeck's backend
 * (the browser never gets a Jenkins address or credential). Shown only to
 * people who can read the build (the list it is in needs the same right).
 */
export function ArtifactLink(props: {
  entity: EntityName;
  job: string;
  number: number;
  name: string;
  path: string;
}) {
  const { entity, job, number, name, path } = props;
  const t = useT();
  const client = useCicdClient();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Link
        component="button"
        data-testid="cicd-artifact-download"
        title={t('artifacts.download', { path })}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await client.downloadArtifact(entity, job, number, path);
          } catch (e) {
            setError((e as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {name}
      </Link>
      {error ? (
        <Typography variant="caption" color="error" component="div">
          {t('artifacts.failed', { message: error })}
        </Typography>
      ) : null}
    </>
  );
}
