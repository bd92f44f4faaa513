import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type ServiceRef,
} from '@backstage/backend-plugin-api';
import {
  ChangeApprovalsClient,
  type ChangeApprovalsService,
} from './ChangeApprovalsClient';

/**
 * Change approvals through tickets, for backend plugins (config-backend,
 * the Kubernetes module): open a ticket for a prod change, claim it once.
 *
 * @public
 */
export const changeApprovalsServiceRef: ServiceRef<
  ChangeApprovalsService,
  'plugin',
  'singleton'
> = createServiceRef<ChangeApprovalsService>({
  id: 'opsdeck.tickets.change-approvals',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: deps => new ChangeApprovalsClient(deps),
    }),
});
