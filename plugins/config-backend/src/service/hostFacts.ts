export type {
  FactsByHost,
  HostFacts,
  HostFactsSource,
} from '@opsdeck/plugin-cmdb-node';

/**
 * Whether a set's templates use `facts` (the version's template, the health
 * check's url/body/address/command): facts are read only then.
 */
export function usesFacts(...templates: Array<string | undefined>): boolean {
  return templates.some(t => t !== undefined && /\bfacts\b/.test(t));
}
