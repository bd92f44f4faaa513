import { createRouteRef } from '@backstage/frontend-plugin-api';

/** Route of the monitoring page; the sidebar lists only pages that have one. */
export const monitoringRouteRef = createRouteRef();
