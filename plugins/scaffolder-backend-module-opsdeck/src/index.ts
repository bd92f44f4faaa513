/**
 * opsdeck's scaffolder actions (`opsdeck:cmdb:register-hosts`,
 * `opsdeck:cmdb:decommission-host`, `opsdeck:kubernetes:deploy-image`) for
 * the new backend system.
 *
 * @packageDocumentation
 */
export { scaffolderModuleOpsdeck as default } from './module';
export {
  createRegisterHostsAction,
  REGISTER_HOSTS_ACTION_ID,
} from './actions/registerHosts';
export {
  createDecommissionHostAction,
  DECOMMISSION_HOST_ACTION_ID,
} from './actions/decommissionHost';
export {
  createDeployImageAction,
  DEPLOY_IMAGE_ACTION_ID,
} from './actions/deployImage';
