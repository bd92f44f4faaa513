import { useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import RssFeedIcon from '@material-ui/icons/RssFeed';
import { useReportClient, useT } from './useReport';

/** Creates (or revokes) the user's personal Atom feed link, shown once. */
export function FeedLinkButton() {
  const t = useT();
  const client = useReportClient();
  const [open, setOpen] = useState(false);
  const [exists, setExists] = useState(false);
  const [url, setUrl] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();

  const run = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <>
      <Button
        startIcon={<RssFeedIcon />}
        onClick={() =>
          run(async () => {
            setUrl(undefined);
            setNotice(undefined);
            setExists((await client.getFeedToken()).exists);
            setOpen(true);
          })
        }
      >
        {t('feed.button')}
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="md"
        fullWidth
      >
        <DialogTitle>{t('feed.title')}</DialogTitle>
        <DialogContent>
          {error && <Alert severity="error">{error}</Alert>}
          {notice && <Alert severity="success">{notice}</Alert>}
          <Typography paragraph>{t('feed.explain')}</Typography>
          {exists && !url && (
            <Typography paragraph>{t('feed.exists')}</Typography>
          )}
          {url && (
            <TextField
              fullWidth
              value={url}
              InputProps={{ readOnly: true }}
              inputProps={{ 'data-testid': 'feed-url' }}
            />
          )}
        </DialogContent>
        <DialogActions>
          {exists && (
            <Button
              onClick={() =>
                run(async () => {
                  await client.deleteFeedToken();
                  setExists(false);
                  setUrl(undefined);
                  setNotice(t('feed.revoked'));
                })
              }
            >
              {t('feed.revoke')}
            </Button>
          )}
          <Button
            color="primary"
            onClick={() =>
              run(async () => {
                setUrl((await client.createFeedToken()).url);
                setExists(true);
              })
            }
          >
            {t('feed.create')}
          </Button>
          <Button onClick={() => setOpen(false)}>{t('feed.close')}</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
