export {
  HostSelectorField,
  cleanSelector,
  type HostSelectorFieldProps,
} from './HostSelectorField';
