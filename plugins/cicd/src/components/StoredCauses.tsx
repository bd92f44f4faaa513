import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Button,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  cicdCauseManagePermission,
  formatDateTime,
} from '@opsdeck/plugin-opsdeck-common';
import { CicdErrorAlert } from './ErrorAlert';
import { useCicdClient, useT } from './useCicd';

/**
 * The causes people added to the knowledge base (they are added from a
 * failed build's console), with delete for those who may manage causes.
 */
export function StoredCauses() {
  const t = useT();
  const client = useCicdClient();
  const { allowed: mayManage } = usePermission({
    permission: cicdCauseManagePermission,
  });
  const { value, loading, error, retry } = useAsyncRetry(
    async () => (await client.causes()).filter(c => c.source === 'stored'),
    [client],
  );
  const [deleteError, setDeleteError] = useState<Error>();
  if (loading && !value) return <Progress />;
  if (error) return <CicdErrorAlert error={error} />;
  const causes = value ?? [];
  const remove = async (id: string) => {
    setDeleteError(undefined);
    try {
      await client.deleteCause(id);
    } catch (e) {
      setDeleteError(e as Error);
    }
    retry();
  };
  return (
    <Paper style={{ marginTop: 16 }} data-testid="cicd-stored-causes">
      <Typography variant="h6" style={{ padding: '16px 16px 0' }}>
        {t('causes.storedTitle')}
      </Typography>
      <Typography variant="body2" style={{ padding: '0 16px 8px' }}>
        {t('causes.storedCaption')}
      </Typography>
      {deleteError && <CicdErrorAlert error={deleteError} />}
      {causes.length === 0 ? (
        <Typography variant="body2" style={{ padding: 16 }}>
          {t('causes.storedEmpty')}
        </Typography>
      ) : (
        <TableContainer>
          <Table size="small" aria-label={t('causes.storedTitle')}>
            <TableHead>
              <TableRow>
                <TableCell>{t('causes.name')}</TableCell>
                <TableCell>{t('causes.category')}</TableCell>
                <TableCell>{t('causes.patternsColumn')}</TableCell>
                <TableCell>{t('detail.runbook')}</TableCell>
                <TableCell>{t('causes.createdBy')}</TableCell>
                <TableCell>{t('causes.createdAt')}</TableCell>
                {mayManage && <TableCell />}
              </TableRow>
            </TableHead>
            <TableBody>
              {causes.map(c => (
                <TableRow key={c.id} data-testid="cicd-stored-cause">
                  <TableCell>{c.title.en}</TableCell>
                  <TableCell>{t(`category.${c.category}`)}</TableCell>
                  <TableCell>
                    {c.patterns.map(p => (
                      <code key={p} style={{ display: 'block' }}>
                        {p}
                      </code>
                    ))}
                  </TableCell>
                  <TableCell>
                    {c.runbook && (
                      <Link
                        href={c.runbook}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {c.runbook}
                      </Link>
                    )}
                  </TableCell>
                  <TableCell>{c.createdBy}</TableCell>
                  <TableCell>
                    {c.createdAt ? formatDateTime(c.createdAt) : ''}
                  </TableCell>
                  {mayManage && (
                    <TableCell>
                      <Button
                        size="small"
                        color="secondary"
                        aria-label={t('causes.deleteCause', {
                          name: c.title.en,
                        })}
                        onClick={() => remove(c.id)}
                      >
                        {t('causes.delete')}
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
