/**
 * The opsdeck CMDB frontend (new frontend system): the Hosts page and the
 * "Host facts" card on the catalog page of hosts.
 *
 * @packageDocumentation
 */
export { cmdbPlugin as default, isHostEntity } from './plugin';
export { cmdbTranslationRef } from './translation/translation';
export { CmdbClient } from './api/CmdbClient';
export type * from './api/types';
// the shared host selection field lives in cmdb-react (frontend plugins import it from there)
export {
  HostSelectorField,
  type HostSelectorFieldProps,
} from '@opsdeck/plugin-cmdb-react';
