import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the CI/CD tab; apps may override any message. */
export const cicdTranslationRef = createTranslationRef({
  id: 'opsdeck-cicd',
  messages: {
    tab: { title: 'CI/CD' },
    list: {
      title: 'Builds',
      caption: 'Jenkins builds of this component, newest first',
      job: 'Job',
      build: 'Build',
      branch: 'Branch',
      result: 'Result',
      started: 'Started',
      duration: 'Duration',
      empty: 'No builds yet.',
      newer: 'Newer',
      older: 'Older',
      jobError: 'Could not read {{job}}: {{message}}',
      open: 'Open build {{build}}',
    },
    result: {
      SUCCESS: 'Success',
      FAILURE: 'Failed',
      UNSTABLE: 'Unstable',
      ABORTED: 'Aborted',
      NOT_BUILT: 'Not built',
      RUNNING: 'Running',
    },
    detail: {
      back: 'All builds',
      title: '{{job}} #{{number}}',
      stages: 'Stages',
      failingStage: 'Failing stage: {{stage}}',
      causes: 'Likely causes',
      noCause:
        'No known cause matched this log. The console lines are on Jenkins; add a cause to the knowledge base so the next failure like this one is explained.',
      lines: 'Lines {{lines}}',
      tests: 'Failing tests: {{tests}}',
      runbook: 'Runbook',
      console: 'Console lines around the cause',
      truncated:
        'Only the last part of a long log was read (from line {{line}}).',
      openJenkins: 'Open in Jenkins',
      rebuild: 'Rebuild',
      rebuilt: 'Queued on Jenkins (queue item {{queueId}}).',
      highlighted: 'matched by {{cause}}',
    },
    category: {
      compile: 'Compile',
      test: 'Test',
      dependency: 'Dependency',
      resources: 'Resources',
      timeout: 'Timeout',
      image: 'Image build',
      scm: 'Source control',
      environment: 'Environment',
      network: 'Network',
      lint: 'Lint',
      runtime: 'Runtime',
    },
    errors: {
      forbidden: 'You do not have permission to see CI/CD builds',
      generic: 'Could not load CI/CD builds: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
