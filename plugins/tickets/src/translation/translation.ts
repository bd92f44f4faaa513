import { createTranslationRef } from '@backstage/frontend-plugin-api';

/** UI text of the tickets plugin; apps may override any message. */
export const ticketsTranslationRef = createTranslationRef({
  id: 'opsdeck-tickets',
  messages: {
    page: {
      title: 'Tickets',
      subtitle:
        'Requests that go through an approval. Start one from a template under Create.',
    },
    tabs: {
      mine: 'My requests',
      inbox: 'Waiting for me',
      all: 'All tickets',
    },
    filters: {
      state: 'State',
      any: 'Any',
      search: 'Title',
      searchPlaceholder: 'Search by title',
    },
    states: {
      submitted: 'Submitted',
      awaiting_approval: 'Awaiting approval',
      approved: 'Approved',
      rejected: 'Rejected',
      fulfilling: 'Fulfilling',
      done: 'Done',
      failed: 'Failed',
    },
    table: {
      id: 'Ticket',
      title: 'Title',
      requester: 'Requester',
      state: 'State',
      assignees: 'Waiting for',
      updated: 'Updated',
      empty: 'No tickets here.',
      total: '{{total}} tickets',
    },
    detail: {
      back: 'All tickets',
      heading: 'Ticket {{id}}: {{title}}',
      requester: 'Requester',
      state: 'State',
      waitingFor: 'Waiting for',
      level: 'Level {{level}} of {{levels}}',
      expires: 'Expires',
      outcome: 'Outcome',
      details: 'Request',
      task: 'Template run',
      decisions: 'Decisions',
      noDecisions: 'No decisions yet.',
      comments: 'Comments',
      noComments: 'No comments yet.',
      history: 'History',
      decisionComment: 'Comment for the decision',
      approve: 'Approve',
      reject: 'Reject',
      confirm: 'Confirm',
      notConfirmed: 'Not confirmed',
      addComment: 'Add a comment',
      post: 'Post comment',
      decided: 'Your decision was recorded.',
      notApprover:
        'You cannot decide this ticket: it is yours, not waiting for you, or already decided.',
    },
    change: {
      title: 'Change to approve',
      kind: 'Kind',
      kindConfig: 'Config release on prod hosts',
      kindKube: 'Kubernetes action on a prod cluster',
      target: 'Target',
      digest: 'Change digest (sha256)',
      used: 'Used by {{who}} at {{time}}',
      notUsed:
        'Not used yet: only the requester can run exactly this change, once.',
    },
    fields: {
      environment: 'Environment',
      system: 'System',
      any: 'Any',
      loading: 'Loading from the catalog…',
      noHosts: 'No host matches these filters.',
      noDatabases: 'No database in the catalog.',
    },
    task: {
      created: 'Your request is ticket #{{id}}: {{title}}',
      open: 'Open the ticket',
    },
    errors: {
      forbidden: 'You do not have permission to see tickets',
      notFound: 'There is no such ticket',
      generic: 'Something went wrong: {{message}}',
    },
  },
  translations: {
    'zh-CN': () => import('./zhCN'),
  },
});
