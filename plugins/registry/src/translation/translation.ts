import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the image registry browser; apps may override any message. */
export const registryTranslationRef = createTranslationRef({
  id: 'opsdeck-registry',
  messages: {
    page: {
      title: 'Image registry',
      subtitle:
        'Repositories, tags and images of the registries in the catalog.',
    },
    registries: {
      label: 'Registry',
      none: 'No registry in the catalog. A registry is a Resource of type registry with the annotation opsdeck.io/registry-url.',
    },
    repositories: {
      title: 'Repositories',
      empty: 'This registry has no repositories.',
      more: 'More',
    },
    tags: {
      title: 'Tags of {{repository}}',
      empty: 'No tags.',
      more: 'More',
      back: 'All repositories',
    },
    manifest: {
      back: 'All tags',
      digest: 'Digest',
      kind: 'Kind',
      index: 'Multi-platform index',
      image: 'Image',
      size: 'Size',
      created: 'Created',
      platform: 'Platform',
      layers: 'Layers',
      artifact: 'attestation',
      running: 'Running on {{places}}',
      runningPod: 'Pod {{where}}',
      runningHost: 'Host {{where}}',
      runningColumn: 'Running on',
      notRunning: 'Not known to run anywhere.',
    },
    delete: {
      button: 'Delete tag',
      title: 'Delete {{repository}}:{{tag}}?',
      body: 'The registry deletes the manifest {{digest}}; every tag pointing at it goes too.',
      shared:
        'Other tags point at this digest and will be deleted too. Delete them all?',
      confirm: 'Delete',
      confirmAll: 'Delete all',
      cancel: 'Cancel',
      done: 'Deleted {{tags}}. {{gc}}',
    },
    fields: {
      loading: 'Loading…',
      repository: 'Repository',
      tag: 'Tag',
      truncated:
        'Only the first {{max}} names are listed; ask for a repository with fewer tags.',
    },
    card: {
      title: 'Image repositories',
      in: 'in {{registry}}',
      newest: 'Newest {{count}} of {{total}} tags',
      noAccess:
        'You do not have permission to read image registries, so the repositories of this component are not shown.',
      problems: {
        empty:
          'An entry of {{annotation}} is empty (two commas, or a comma at the end).',
        registry:
          '"{{entry}}" in {{annotation}} does not start with a registry ref: write resource:<namespace>/<name>/<repository>.',
        repository:
          '"{{entry}}" in {{annotation}}: the repository path is not a valid repository name (lower-case letters, digits, separators . _ __ -, parts joined by /).',
        duplicate: '"{{entry}}" is named twice in {{annotation}}.',
      },
    },
    components: {
      title: 'Components that ship {{repository}}',
      none: 'No component names this repository (annotation {{annotation}}).',
    },
    errors: {
      forbidden: 'You do not have permission to browse image registries',
      generic: 'Could not load: {{message}}',
      codes: {
        tagMoved:
          '{{image}} now points at {{digest}}, not the image you looked at; look again before deleting',
        imageRunning: '{{image}} is running on {{places}}; it is not deleted',
        tooManyTags:
          '{{repository}} has {{count}} tags, more than opsdeck checks ({{max}})',
        platformImage:
          '{{image}} is a platform image of {{tags}}; deleting it would break them, it is not deleted',
        digestShared:
          'Deleting {{image}} deletes {{digest}}, which {{tags}} point at too; confirm to delete them all',
        retentionChanged:
          'The retention rule now deletes {{planned}} digest(s), not the {{confirmed}} confirmed; run the dry run again',
        credentialType:
          'Vault credential {{credential}} must be a password (with a username for basic auth, alone for a bearer token)',
        unreachable:
          "Registry {{registry}} cannot be reached ({{reason}}); check that it runs and that opsdeck's backend can reach it",
        tls: 'The TLS handshake with registry {{registry}} failed ({{reason}}): its certificate is expired, self-signed or for another name, or it does not speak TLS',
        loginRefused:
          "Registry {{registry}} refused opsdeck's login (HTTP {{answered}}); check the registry's vault credential",
        failed:
          'Registry {{registry}} answered HTTP {{answered}}; try again later or check the registry',
        credentialMissing:
          "The registry's vault credential {{credential}} does not exist; an admin must add it to the vault",
        credentialDenied:
          'The vault does not allow credential {{credential}} to be used for this registry on your behalf',
      },
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
