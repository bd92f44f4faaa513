import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Box, Button, Chip, Link, Paper, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import type { LocatedCause } from '@opsdeck/plugin-cicd-common';
import {
  cicdBuildRebuildPermission,
  cicdCauseManagePermission,
  getDisplayLanguage,
} from '@opsdeck/plugin-opsdeck-common';
import type { EntityName } from '../api';
import { AddCauseDialog } from './AddCauseDialog';
import { ArtifactLink } from './ArtifactLink';
import { CicdErrorAlert } from './ErrorAlert';
import { ResultChip } from './ResultChip';
import { useCicdClient, useT } from './useCicd';

function titleOf(cause: LocatedCause): string {
  return getDisplayLanguage()?.startsWith('zh')
    ? cause.title['zh-CN']
    : cause.title.en;
}

const HIGHLIGHT = '#fff3cd';
const SELECTED = '#d6eaff';
const LINE_BUTTON = {
  border: 0,
  padding: 0,
  background: 'transparent',
  color: '#555',
  font: 'inherit',
  cursor: 'pointer',
  textDecoration: 'underline dotted',
} as const;

function backgroundOf(picked: boolean, hit: boolean): string | undefined {
  if (picked) return SELECTED;
  return hit ? HIGHLIGHT : undefined;
}

/** One build: stages, the located causes and the console lines that show them. */
export function BuildDetailView(props: {
  entity: EntityName;
  job: string;
  number: number;
  /** The person owns the entity (or may act on any owner's): rebuild is theirs to offer. */
  owns: boolean;
  onBack: () => void;
}) {
  const { entity, job, number, owns, onBack } = props;
  const t = useT();
  const client = useCicdClient();
  const { allowed: mayRebuild } = usePermission({
    permission: cicdBuildRebuildPermission,
  });
  const { allowed: mayAddCause } = usePermission({
    permission: cicdCauseManagePermission,
  });
  const [queued, setQueued] = useState<number>();
  const [rebuildError, setRebuildError] = useState<Error>();
  // the console line a person picked to add a cause from
  const [selected, setSelected] = useState<number>();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string>();
  const [reload, setReload] = useState(0);
  const { value, loading, error } = useAsync(
    () => client.build(entity, job, number),
    [client, job, number, reload],
  );
  const back = <Button onClick={onBack}>{t('detail.back')}</Button>;
  if (loading && !value) return <Progress />;
  if (error || !value) {
    return (
      <>
        {back}
        <CicdErrorAlert error={error ?? new Error('no build')} />
      </>
    );
  }
  // posted by another CI system: no Jenkins to rebuild on
  const intake = value.source === 'intake';
  const causes = value.located?.causes ?? [];
  const top = causes[0];
  const topLines = new Set(top?.lines ?? []);
  const excerpt = value.excerpt;
  // the picked line, else the first line of the likeliest cause, else the last one
  const pickedLine =
    excerpt.find(l => l.line === selected) ??
    excerpt.find(l => l.line === top?.lines[0]) ??
    excerpt[excerpt.length - 1];
  const rebuild = async () => {
    setRebuildError(undefined);
    try {
      setQueued((await client.rebuild(entity, job, number)).queueId);
    } catch (e) {
      setRebuildError(e as Error);
    }
  };
  return (
    <Paper style={{ padding: 16 }}>
      {back}
      <Box display="flex" alignItems="center" style={{ gap: 12 }} my={1}>
        <Typography variant="h5">
          {t('detail.title', { job: value.job, number: value.number })}
        </Typography>
        <ResultChip result={value.result} />
        {value.url && (
          <Link href={value.url} target="_blank" rel="noopener noreferrer">
            {intake
              ? t('detail.openCi', { system: value.instance })
              : t('detail.openJenkins')}
          </Link>
        )}
        {mayRebuild && owns && !intake && (
          <Button variant="outlined" color="primary" onClick={rebuild}>
            {t('detail.rebuild')}
          </Button>
        )}
      </Box>
      {queued !== undefined && (
        <Alert severity="success">
          {t('detail.rebuilt', { queueId: queued })}
        </Alert>
      )}
      {rebuildError && <CicdErrorAlert error={rebuildError} />}
      {added && (
        <Alert severity="success" onClose={() => setAdded(undefined)}>
          {t('causes.added', { name: added })}
        </Alert>
      )}
      {adding && (
        <AddCauseDialog
          consoleLines={excerpt}
          line={pickedLine?.text}
          category={top?.category}
          onClose={() => setAdding(false)}
          onSaved={cause => {
            setAdding(false);
            setAdded(cause.title.en);
            setReload(r => r + 1);
          }}
        />
      )}
      {value.stages.length > 0 && (
        <Box my={2}>
          <Typography variant="subtitle1">{t('detail.stages')}</Typography>
          <Box display="flex" flexWrap="wrap" style={{ gap: 6 }}>
            {value.stages.map(s => (
              <Chip
                key={s.name}
                size="small"
                label={`${s.name} · ${s.status}`}
                color={s.status === 'FAILED' ? 'secondary' : 'default'}
                data-testid={
                  s.status === 'FAILED' ? 'cicd-failed-stage' : undefined
                }
              />
            ))}
          </Box>
        </Box>
      )}
      {value.artifacts?.length ? (
        <Box my={2} data-testid="cicd-build-artifacts">
          <Typography variant="subtitle1">{t('artifacts.title')}</Typography>
          <ul style={{ margin: 0 }}>
            {value.artifacts.map(a => (
              <li key={a.path ?? a.name}>
                {a.path ? (
                  <ArtifactLink
                    entity={entity}
                    job={value.job}
                    number={value.number}
                    name={a.name}
                    path={a.path}
                  />
                ) : (
                  a.name
                )}
              </li>
            ))}
          </ul>
        </Box>
      ) : null}
      {value.located && (
        <Box my={2}>
          <Typography variant="h6">{t('detail.causes')}</Typography>
          {value.located.failingStage && (
            <Typography variant="body2">
              {t('detail.failingStage', { stage: value.located.failingStage })}
            </Typography>
          )}
          {value.located.truncated && (
            <Alert severity="info">
              {t('detail.truncated', { line: value.located.firstLine })}
            </Alert>
          )}
          {causes.length === 0 && (
            <Alert severity="info">{t('detail.noCause')}</Alert>
          )}
          {causes.slice(0, 3).map((c, i) => (
            <Box
              key={c.id}
              my={1}
              p={1}
              border={1}
              borderColor={i === 0 ? 'error.main' : 'grey.400'}
              borderRadius={4}
              data-testid="cicd-cause"
            >
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <Chip size="small" label={t(`category.${c.category}`)} />
                <Typography variant="subtitle1" component="span">
                  {titleOf(c)}
                </Typography>
                {c.runbook && (
                  <Link
                    href={c.runbook}
                    target="_blank"
                    rel="noopener noreferrer"
                  >
                    {t('detail.runbook')}
                  </Link>
                )}
              </Box>
              <Typography variant="body2">
                {t('detail.lines', { lines: c.lines.slice(0, 10).join(', ') })}
              </Typography>
              {c.tests.length > 0 && (
                <Typography variant="body2">
                  {t('detail.tests', { tests: c.tests.join(', ') })}
                </Typography>
              )}
            </Box>
          ))}
        </Box>
      )}
      {value.excerpt.length > 0 && (
        <Box my={2}>
          <Box display="flex" alignItems="center" style={{ gap: 12 }}>
            <Typography variant="subtitle1">
              {causes.length ? t('detail.console') : t('detail.consoleTail')}
            </Typography>
            {mayAddCause && (
              <Button
                variant="outlined"
                size="small"
                onClick={() => setAdding(true)}
              >
                {t('causes.add')}
              </Button>
            )}
          </Box>
          {mayAddCause && (
            <Typography variant="caption">{t('causes.selectHint')}</Typography>
          )}
          <pre
            style={{
              fontSize: 12,
              overflowX: 'auto',
              background: '#f5f5f5',
              padding: 8,
            }}
            data-testid="cicd-console"
          >
            {value.excerpt.map((l, k) => {
              const hit = topLines.has(l.line);
              const picked = selected === l.line;
              const gap = k > 0 && value.excerpt[k - 1].line !== l.line - 1;
              return (
                <div
                  key={l.line}
                  data-line={l.line}
                  data-highlighted={hit ? 'true' : undefined}
                  data-selected={picked ? 'true' : undefined}
                  title={
                    hit && top
                      ? t('detail.highlighted', { cause: titleOf(top) })
                      : undefined
                  }
                  style={{
                    background: backgroundOf(picked, hit),
                    borderTop: gap ? '1px dashed #bbb' : undefined,
                  }}
                >
                  {mayAddCause ? (
                    <button
                      type="button"
                      aria-label={t('causes.pickLine', { line: l.line })}
                      aria-pressed={picked}
                      onClick={() => setSelected(l.line)}
                      style={LINE_BUTTON}
                    >
                      {String(l.line).padStart(6, ' ')}
                    </button>
                  ) : (
                    <span style={{ color: '#888', userSelect: 'none' }}>
                      {String(l.line).padStart(6, ' ')}
                    </span>
                  )}{' '}
                  {l.text}
                </div>
              );
            })}
          </pre>
        </Box>
      )}
    </Paper>
  );
}
