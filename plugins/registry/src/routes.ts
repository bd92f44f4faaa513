import { createRouteRef } from '@backstage/frontend-plugin-api';

/** Route of the registry page. */
export const registryRouteRef = createRouteRef();
