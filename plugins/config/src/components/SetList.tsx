import { useState } from 'react';
import { Link, Progress } from '@backstage/core-components';
import {
  Button,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import useAsync from 'react-use/esm/useAsync';
import { useNavigate } from 'react-router-dom';
import { ErrorAlert, useAbilities, useConfigClient, useT } from './hooks';
import { SetFormDialog } from './SetFormDialog';

/** Every config set, with a button to create one for those who may. */
export function SetList() {
  const t = useT();
  const client = useConfigClient();
  const { canEdit } = useAbilities();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const { value, loading, error } = useAsync(() => client.listSets(), [client]);
  if (error) return <ErrorAlert error={error} />;
  return (
    <>
      {canEdit && (
        <Button
          variant="contained"
          color="primary"
          style={{ marginBottom: 16 }}
          onClick={() => setCreating(true)}
        >
          {t('sets.create')}
        </Button>
      )}
      {creating && (
        <SetFormDialog
          onClose={() => setCreating(false)}
          onSaved={set => navigate(`${set.id}`)}
        />
      )}
      {loading && <Progress />}
      {value && value.items.length === 0 && (
        <Alert severity="info">{t('sets.empty')}</Alert>
      )}
      {value && value.items.length > 0 && (
        <TableContainer component={Paper}>
          <Table size="small" aria-label={t('sets.caption')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('sets.name')}</TableCell>
                <TableCell>{t('sets.kind')}</TableCell>
                <TableCell>{t('sets.target')}</TableCell>
                <TableCell>{t('sets.owner')}</TableCell>
                <TableCell>{t('sets.latest')}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.map(s => (
                <TableRow key={s.id} data-testid="config-set-row">
                  <TableCell>
                    <Link to={`${s.id}`}>{s.name}</Link>
                  </TableCell>
                  <TableCell>{s.kind}</TableCell>
                  <TableCell>
                    <code>{s.targetPath}</code>
                  </TableCell>
                  <TableCell>{s.owner}</TableCell>
                  <TableCell>
                    {s.latestVersion ? `v${s.latestVersion}` : '–'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </>
  );
}
