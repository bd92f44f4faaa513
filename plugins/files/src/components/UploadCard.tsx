import { ChangeEvent, useEffect, useRef, useState } from 'react';
import {
  coreApis,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  Box,
  Button,
  LinearProgress,
  MenuItem,
  Paper,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Upload } from 'tus-js-client';
import type { FilesClient } from '../api/FilesClient';
import { filesTranslationRef } from '../translation/translation';
import { formatBytes, percent } from './format';
import { tusErrorMessage, useFilesErrorTexts } from './errors';

type Phase = 'idle' | 'uploading' | 'paused' | 'done' | 'error';

/**
 * The library version of a finished upload, or undefined. All bytes on the
 * server is not enough (the server may have died before it stored the
 * version): without an id in tus' last answer, one HEAD asks the server,
 * which finishes such an upload before it answers.
 */
export async function confirmedFileId(
  client: Pick<FilesClient, 'uploadedFileId'>,
  uploadUrl: string | null,
  fromTus: string | undefined,
): Promise<string | undefined> {
  if (fromTus) return fromTus;
  if (!uploadUrl) return undefined;
  return client.uploadedFileId(uploadUrl).catch(() => undefined);
}

/**
 * Resumable upload with tus: the file goes up in chunks; tus-js-client keeps
 * the upload URL in localStorage (keyed by the file's name, size and date), so
 * choosing the same file after a reload or a network drop resumes it.
 */
export function UploadCard(props: {
  client: FilesClient;
  onUploaded: (fileId: string | undefined) => void;
}) {
  const { client, onUploaded } = props;
  const { t } = useTranslationRef(filesTranslationRef);
  const errorTexts = useFilesErrorTexts();
  const identityApi = useApi(coreApis.identity);
  const [file, setFile] = useState<File>();
  const [chunkMiB, setChunkMiB] = useState('8');
  const [ownerGroup, setOwnerGroup] = useState('');
  // the owner group is one of the user's own groups (the server checks it
  // too), picked, never typed
  const [myGroups, setMyGroups] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    identityApi
      .getBackstageIdentity()
      .then(identity => {
        if (!live) return;
        setMyGroups(
          identity.ownershipEntityRefs
            .filter(ref => ref.toLocaleLowerCase('en-US').startsWith('group:'))
            .sort(),
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [identityApi]);
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState({ done: 0, total: 0 });
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const upload = useRef<Upload>();
  // tus calls back long after the render that started it: call the current
  // onUploaded, not that render's (whose library refresh may be a no-op).
  const uploaded = useRef(onUploaded);
  uploaded.current = onUploaded;

  useEffect(() => () => void upload.current?.abort(), []);

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    setFile(e.target.files?.[0]);
    setPhase('idle');
    setMessage(undefined);
    setError(undefined);
    setProgress({ done: 0, total: e.target.files?.[0]?.size ?? 0 });
  };

  /**
   * Success only with a library version (see confirmedFileId); without one:
   * an error, and the upload stays resumable.
   */
  const finish = async (u: Upload, name: string, fromTus?: string) => {
    const fileId = await confirmedFileId(client, u.url, fromTus);
    if (!fileId) {
      setPhase('error');
      setError(t('upload.noFileId', { name }));
      return;
    }
    setPhase('done');
    // the fingerprint is no longer needed: the upload is in the library
    const urlStorage = u.options.urlStorage;
    for (const previous of await u.findPreviousUploads().catch(() => [])) {
      if (previous.uploadUrl === u.url && urlStorage) {
        await urlStorage.removeUpload(previous.urlStorageKey).catch(() => {});
      }
    }
    const id = fileId;
    client
      .getFile(id)
      .then(f =>
        setMessage(
          t('upload.done', { name: f.name, version: String(f.version), id }),
        ),
      )
      .catch(() => setMessage(t('upload.doneNoVersion', { name, id })));
    uploaded.current(id);
  };

  const start = async () => {
    if (!file) return;
    setError(undefined);
    setMessage(undefined);
    const chunkSize = Math.max(0.0625, Number(chunkMiB) || 8) * 1024 * 1024;
    const u = new Upload(file, {
      endpoint: await client.uploadEndpoint(),
      chunkSize: Math.floor(chunkSize),
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: {
        filename: file.name,
        filetype: file.type || 'application/octet-stream',
        ...(ownerGroup.trim() ? { ownerGroup: ownerGroup.trim() } : {}),
      },
      storeFingerprintForResuming: true,
      // Kept until the library version is confirmed (see finish below), so
      // choosing the file again can still finish an unconfirmed upload.
      removeFingerprintOnSuccess: false,
      // A fresh token on every request: large uploads outlive one token.
      onBeforeRequest: async req => {
        const { token } = await identityApi.getCredentials();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      onProgress: (done, total) => setProgress({ done, total }),
      onSuccess: payload => {
        setProgress({ done: file.size, total: file.size });
        void finish(
          u,
          file.name,
          payload?.lastResponse?.getHeader('Opsdeck-File-Id') ?? undefined,
        );
      },
      onError: e => {
        setPhase('error');
        const coded = tusErrorMessage(e, errorTexts);
        if (coded) {
          setError(coded);
          return;
        }
        const text = String((e as Error).message ?? e);
        const body = /response text: (.*?)(, request id|$)/.exec(text)?.[1];
        setError(t('errors.generic', { message: body || text }));
      },
    });
    upload.current = u;
    const previous = await u.findPreviousUploads();
    if (previous.length > 0) {
      u.resumeFromPreviousUpload(previous[0]);
      setMessage(t('upload.resumed'));
    }
    setPhase('uploading');
    u.start();
  };

  const pause = async () => {
    await upload.current?.abort();
    setPhase('paused');
    setMessage(t('upload.paused'));
  };

  const resume = () => {
    setPhase('uploading');
    setMessage(undefined);
    upload.current?.start();
  };

  const pct = percent(progress.done, progress.total);
  return (
    <Paper variant="outlined">
      <Box p={2}>
        <Typography variant="h6" component="h2" gutterBottom>
          {t('upload.title')}
        </Typography>
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 16 }}
        >
          <Button variant="outlined" component="label">
            {t('upload.choose')}
            <input
              type="file"
              hidden
              data-testid="files-upload-input"
              onChange={choose}
            />
          </Button>
          <Typography variant="body2">
            {file
              ? `${file.name} (${formatBytes(file.size)})`
              : t('upload.noFile')}
          </Typography>
          <TextField
            id="files-chunk-size"
            label={t('upload.chunkSize')}
            value={chunkMiB}
            onChange={e => setChunkMiB(e.target.value)}
            type="number"
            inputProps={{ min: 0.0625, step: 'any' }}
            margin="dense"
            style={{ width: 160 }}
          />
          <TextField
            id="files-owner-group"
            select
            label={t('upload.ownerGroup')}
            helperText={t('upload.ownerGroupHelp')}
            value={ownerGroup}
            onChange={e => setOwnerGroup(e.target.value)}
            margin="dense"
            style={{ width: 280 }}
          >
            <MenuItem value="">{t('upload.noOwnerGroup')}</MenuItem>
            {myGroups.map(ref => (
              <MenuItem key={ref} value={ref}>
                {ref}
              </MenuItem>
            ))}
          </TextField>
          {phase === 'uploading' ? (
            <Button variant="outlined" onClick={pause}>
              {t('upload.pause')}
            </Button>
          ) : null}
          {phase === 'paused' ? (
            <Button variant="contained" color="primary" onClick={resume}>
              {t('upload.resume')}
            </Button>
          ) : null}
          {phase !== 'uploading' && phase !== 'paused' ? (
            <Button
              variant="contained"
              color="primary"
              disabled={!file}
              onClick={start}
            >
              {t('upload.start')}
            </Button>
          ) : null}
        </Box>
        {file && phase !== 'idle' ? (
          <Box mt={2}>
            <LinearProgress
              variant="determinate"
              value={pct}
              aria-label={t('upload.progressLabel')}
            />
            <Typography variant="body2" data-testid="files-upload-progress">
              {t('upload.progress', {
                done: formatBytes(progress.done),
                total: formatBytes(progress.total),
                percent: String(pct),
              })}
            </Typography>
          </Box>
        ) : null}
        {message ? (
          <Box mt={1}>
            <Alert severity={phase === 'done' ? 'success' : 'info'}>
              {message}
            </Alert>
          </Box>
        ) : null}
        {error ? (
          <Box mt={1}>
            <Alert severity="error">{error}</Alert>
          </Box>
        ) : null}
      </Box>
    </Paper>
  );
}
