import {
  ticketCommentPermission,
  ticketDecidePermission,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const workflow = {
  authenticate: ['service' as const],
  reason:
    "the templates' workflow steps (scaffolder actions) move tickets; users never do",
};

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /tickets': ticketReadPermission,
  'GET /tickets/{id}': ticketReadPermission,
  'POST /tickets/{id}/decision': {
    permission: ticketDecidePermission,
    allow: ['user'],
  },
  'POST /tickets/{id}/comments': {
    permission: ticketCommentPermission,
    allow: ['user'],
  },
  // read-like: checks that the delivered account can sign in
  'POST /tickets/{id}/account-check': {
    permission: ticketReadPermission,
    allow: ['user'],
  },
  'POST /workflow/tickets': workflow,
  'GET /workflow/tickets/{id}': workflow,
  'POST /workflow/tickets/{id}/state': workflow,
  'POST /workflow/tickets/{id}/steps': workflow,
  'POST /workflow/tickets/{id}/steps/done': workflow,
  // change approvals (@opsdeck/plugin-tickets-node): the plugin running the
  // change opens and claims them for its person; the person never does
  'POST /workflow/changes': workflow,
  'POST /workflow/changes/{id}/claim': workflow,
  'POST /workflow/changes/{id}/status': workflow,
};
