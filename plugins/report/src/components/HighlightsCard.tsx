import { useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import {
  HIGHLIGHT_LANGUAGES,
  HighlightLanguage,
} from '@opsdeck/plugin-report-common';
import type { ReportDetail } from '../schema/openapi.client.generated';
import {
  Box,
  Button,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { formatTime, useReportClient, useT } from './useReport';

/** The editors' highlights: shown to all, editable in a draft by editors. */
export function HighlightsCard(props: {
  report: ReportDetail;
  onChange: (report: ReportDetail) => void;
}) {
  const { report, onChange } = props;
  const t = useT();
  const client = useReportClient();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(report.highlights?.text ?? '');
  const [lang, setLang] = useState<HighlightLanguage>(
    report.highlights?.lang ?? 'en',
  );
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  const save = async () => {
    setError(undefined);
    try {
      onChange(
        await client.setHighlights({
          path: { id: report.id },
          body: { text, lang },
        }),
      );
      setEditing(false);
      setSaved(true);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <InfoCard title={t('highlights.title')}>
      {error && <Alert severity="error">{error}</Alert>}
      {saved && !editing && (
        <Alert severity="success">{t('highlights.saved')}</Alert>
      )}
      {!editing && (
        <>
          {report.highlights?.text ? (
            <>
              <Typography
                lang={report.highlights.lang}
                style={{ whiteSpace: 'pre-wrap' }}
                data-testid="report-highlights"
              >
                {report.highlights.text}
              </Typography>
              <Typography variant="caption" color="textSecondary">
                {t('highlights.by', { by: report.highlights.by })} ·{' '}
                {formatTime(report.highlights.at)}
              </Typography>
            </>
          ) : (
            <Typography color="textSecondary">
              {t('highlights.none')}
            </Typography>
          )}
          {report.canEdit && (
            <Box mt={2}>
              <Button variant="outlined" onClick={() => setEditing(true)}>
                {t('highlights.edit')}
              </Button>
            </Box>
          )}
        </>
      )}
      {editing && (
        <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
          <TextField
            select
            id="report-highlights-lang"
            label={t('highlights.language')}
            value={lang}
            onChange={e => setLang(e.target.value as HighlightLanguage)}
            inputProps={{ 'data-testid': 'highlights-lang' }}
            style={{ maxWidth: 240 }}
          >
            {HIGHLIGHT_LANGUAGES.map(l => (
              <MenuItem key={l} value={l}>
                {t(`languages.${l}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            id="report-highlights-text"
            label={t('highlights.text')}
            multiline
            minRows={4}
            variant="outlined"
            value={text}
            onChange={e => setText(e.target.value)}
            inputProps={{ maxLength: 4000 }}
          />
          <Box display="flex" style={{ gap: 8 }}>
            <Button variant="contained" color="primary" onClick={save}>
              {t('highlights.save')}
            </Button>
            <Button onClick={() => setEditing(false)}>
              {t('highlights.cancel')}
            </Button>
          </Box>
        </Box>
      )}
    </InfoCard>
  );
}
