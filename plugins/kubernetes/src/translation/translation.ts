import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of opsdeck's workload actions on the Kubernetes tab. */
export const kubernetesActionsTranslationRef = createTranslationRef({
  id: 'opsdeck-kubernetes',
  messages: {
    card: {
      title: 'Workload actions',
      subheader:
        'Restart, scale, deploy an image and roll back; delete pods; download container logs',
      loading: 'Loading workloads…',
      empty: 'No deployments or pods of this component.',
      cluster: 'Cluster {{cluster}}',
      noActions:
        'You cannot change these workloads: that needs {{permissions}}.',
    },
    deployments: {
      title: 'Deployments',
      name: 'Deployment',
      replicas: 'Replicas',
      ready: '{{ready}} of {{desired}} ready',
      restart: 'Restart',
      scale: 'Scale',
      scaleTo: 'Replicas for {{name}}',
      restarted: 'Restarted {{name}}',
      scaled: 'Scaled {{name}} from {{from}} to {{to}} replicas',
    },
    pods: {
      title: 'Pods',
      name: 'Pod',
      phase: 'Phase',
      restarts: 'Restarts',
      delete: 'Delete pod',
      deleted: 'Deleted pod {{name}}',
      logs: 'Logs',
      download: 'Download logs ({{container}})',
      downloadPrevious: 'Previous container logs ({{container}})',
      downloaded: 'Downloaded {{file}}',
    },
    confirm: {
      restart: 'Restart deployment {{name}} on {{cluster}}?',
      scale:
        'Scale deployment {{name}} on {{cluster}} to {{replicas}} replicas?',
      delete:
        'Delete pod {{name}} on {{cluster}}? Its controller starts a new one.',
      rollback:
        'Roll back deployment {{name}} on {{cluster}} to revision {{revision}} ({{images}})?',
      ok: 'Confirm',
      cancel: 'Cancel',
    },
    deploy: {
      open: 'Deploy image…',
      title: 'Deploy an image to {{name}} on {{cluster}}',
      container: 'Container',
      current: 'Container {{container}} runs {{image}}',
      tags: 'Image tags',
      repository: '{{repository}} in {{registry}}',
      tag: '{{tag}} · {{digest}} · {{created}}',
      noTags: 'No tags in this repository.',
      noRepositories:
        'This component names no image repositories (annotation {{annotation}}): there is nothing to pick from.',
      tagsError: 'Could not read the image tags: {{message}}',
      repositoryError: 'Could not read the tags of {{repository}}: {{message}}',
      pinned:
        'Deploys {{image}} (the digest shown, not whatever the tag is later)',
      submit: 'Deploy',
      done: 'Deploying {{image}} to {{name}} (was {{previous}})',
    },
    rollback: {
      open: 'Roll back',
      none: '{{name}} has no earlier revision to roll back to',
      done: 'Rolling {{name}} back to revision {{revision}}',
    },
    rollout: {
      title: 'Rollout of {{name}}',
      counts:
        '{{updated}} of {{replicas}} updated, {{ready}} ready, {{available}} available',
      replicaSet: 'New ReplicaSet {{name}} (revision {{revision}})',
      progressing: 'Rolling out…',
      complete: 'Rollout complete',
      failed: 'Rollout failed: {{message}}',
      stopped: 'Stopped following the rollout after {{seconds}} s',
    },
    approval: {
      required:
        'This cluster is prod: the change needs an approved ticket ({{message}}).',
    },
    panel: {
      warning: 'Warning: {{title}}',
    },
    error: {
      action: 'The action failed: {{message}}',
      log: 'Could not download the log: {{message}}',
      rollout: 'Could not read the rollout: {{message}}',
      rateLimited:
        'You read rollouts {{limit}} times in the last minute: try again in {{seconds}} seconds',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
