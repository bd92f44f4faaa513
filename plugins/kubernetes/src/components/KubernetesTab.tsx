import { Box } from '@material-ui/core';
import { WorkloadActionsCard } from './WorkloadActionsCard';
import { KubernetesContent } from './KubernetesContent';

/**
 * The component's Kubernetes tab: opsdeck's workload actions above
 * Backstage's Kubernetes content (clusters, pods, logs, events), its panels'
 * severity in the user's language.
 */
export function KubernetesTab() {
  return (
    <>
      <Box mb={3}>
        <WorkloadActionsCard />
      </Box>
      <KubernetesContent />
    </>
  );
}
