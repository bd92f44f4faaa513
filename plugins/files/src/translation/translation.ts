import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the Files page; apps may override any message. */
export const filesTranslationRef = createTranslationRef({
  id: 'opsdeck-files',
  messages: {
    page: {
      title: 'Files',
      subtitle:
        'Upload files (resumable, verified by SHA-256), keep their versions, and push them to many hosts at once.',
    },
    upload: {
      title: 'Upload',
      choose: 'Choose file',
      noFile: 'No file chosen',
      chunkSize: 'Chunk size (MiB)',
      ownerGroup: 'Owner group',
      ownerGroupHelp: 'One of your groups (optional)',
      noOwnerGroup: 'None',
      start: 'Upload',
      pause: 'Pause',
      resume: 'Resume',
      progressLabel: 'Upload progress',
      progress: '{{done}} of {{total}} ({{percent}}%)',
      resumed: 'Resuming the earlier, unfinished upload of this file',
      done: 'Uploaded {{name}} as version {{version}} (file id {{id}})',
      doneNoVersion: 'Uploaded {{name}} (file id {{id}})',
      noFileId:
        'All of {{name}} reached the server, but it did not confirm a library version. Choose the file and upload again to finish it (nothing is sent twice).',
      paused: 'Paused; resume now or later, even after a reload',
    },
    library: {
      title: 'File library',
      caption: 'Library files, each version on its own row',
      name: 'Name',
      version: 'Version',
      size: 'Size',
      sha256: 'SHA-256',
      uploader: 'Uploaded by',
      ownerGroup: 'Owner group',
      created: 'Uploaded',
      actions: 'Actions',
      distribute: 'Distribute',
      delete: 'Delete',
      empty: 'No files yet. Upload one above.',
      deleteTitle: 'Delete {{name}} version {{version}}?',
      deleteBody:
        'The stored bytes are removed. Copies already on hosts stay where they are.',
      cancel: 'Cancel',
    },
    distribute: {
      title: 'Distribute {{name}} v{{version}}',
      hosts: 'Hosts',
      targetPath: 'Target path',
      targetPathHelp:
        'Absolute path on each host; end with / to keep the file name',
      fileMode: 'File permissions',
      fileModeHelp: 'Octal, e.g. 0644 (optional)',
      fileOwner: 'Owner',
      fileOwnerHelp: 'user or user:group (optional)',
      concurrency: 'Hosts at once',
      strategy: 'Transfer method',
      strategyDirect: 'Direct (opsdeck writes every host)',
      strategyRelay: 'Relay (hosts pass the stream on)',
      strategyRelayTree: 'Relay tree (each host passes it on to two)',
      start: 'Start distribution',
      noHostSelected: 'Select at least one host',
      targetNotAllowed: 'Target path not allowed for these hosts',
    },
    distributions: {
      title: 'Distributions',
      caption: 'Recent distributions, newest first',
      file: 'File',
      target: 'Target',
      by: 'Started by',
      started: 'Started',
      status: 'Status',
      open: 'Show',
      empty: 'No distributions yet.',
      running: 'running',
      done: 'done',
      summary:
        '{{verified}} verified, {{failed}} failed, {{active}} in progress, of {{total}}',
    },
    live: {
      title: 'Distribution of {{name}} v{{version}} to {{target}}',
      caption: 'Each host: state, bytes written, rate and result',
      host: 'Host',
      address: 'Address',
      state: 'State',
      bytes: 'Bytes',
      rate: 'Rate',
      attempts: 'Attempts',
      result: 'Result',
      retry: 'Retry failed hosts',
      close: 'Close',
      verifiedResult: 'SHA-256 verified',
      refused: {
        symlink: 'Refused: a symbolic link in the target path.',
        outsideRoots: 'Refused: outside the allowed directories.',
        notDirectory: 'Refused: a part of the target path is not a directory.',
        resolvesElsewhere:
          'Refused: the target directory resolves to another directory.',
        isDirectory:
          'Refused: the target is a directory (end the path with / to write into it).',
        tempChanged: 'Refused: the temporary copy changed while it was opened.',
      },
      progressLabel: 'Progress of {{host}}',
    },
    states: {
      pending: 'pending',
      transferring: 'transferring',
      verifying: 'verifying',
      verified: 'verified',
      failed: 'failed',
    },
    errors: {
      forbidden: 'You do not have permission to do this',
      unauthorized: 'Sign in to use the file library',
      generic: 'Something went wrong: {{message}}',
      codes: {
        uploadTooLarge: 'The file is larger than the upload limit ({{max}})',
        nameInvalid:
          'This file name cannot be stored (empty, a path, control characters or too long)',
        ownerGroupInvalid: 'The owner group is not a group',
        ownerGroupNotMember:
          'You are not a member of {{group}}; pick one of your groups as owner',
        uploadNotYours: 'This upload was started by someone else',
        targetPathInvalid:
          'Target path {{path}} is not allowed: it must be absolute and normalised (no ., .. or empty parts, no control characters or backslashes, not too long)',
        targetOutsideRoots:
          'Target path {{path}} is outside the directories allowed for these hosts: {{refused}}. An admin can allow more.',
        fileModeInvalid:
          'File mode {{mode}} must be octal digits such as 0644 or 0755',
        fileOwnerInvalid:
          "Owner {{owner}} must be 'user', 'user:group' or ':group' with plain names",
        hostsUnknown:
          'Unknown hosts (not in the CMDB, or without an address): {{hosts}}',
        hostsNoMatch: 'No host matches the selection',
        concurrencyTooHigh: 'At most {{max}} hosts can be written at once',
        versionMissing: 'This file version no longer exists',
        uploadGone:
          'The upload is no longer on the server (expired or removed); choose the file again to start over',
      },
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
