import { Router as BackstageKubernetesContent } from '@backstage/plugin-kubernetes';
import { Box } from '@material-ui/core';
import { WorkloadActionsCard } from './WorkloadActionsCard';

/**
 * The component's Kubernetes tab: opsdeck's workload actions above
 * Backstage's own Kubernetes content (clusters, pods, logs, events).
 */
export function KubernetesTab() {
  return (
    <>
      <Box mb={3}>
        <WorkloadActionsCard />
      </Box>
      <BackstageKubernetesContent />
    </>
  );
}
