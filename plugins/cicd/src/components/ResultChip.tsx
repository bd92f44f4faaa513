import Chip from '@material-ui/core/Chip';
import type { BuildResult } from '@opsdeck/plugin-cicd-common';
import { useT } from './useCicd';

const COLORS: Record<BuildResult, string> = {
  SUCCESS: '#2e7d32',
  FAILURE: '#c62828',
  UNSTABLE: '#ef6c00',
  ABORTED: '#616161',
  NOT_BUILT: '#9e9e9e',
  RUNNING: '#1565c0',
};

export function ResultChip({ result }: { result: BuildResult }) {
  const t = useT();
  return (
    <Chip
      size="small"
      label={t(`result.${result}`)}
      style={{ backgroundColor: COLORS[result], color: '#fff' }}
    />
  );
}
