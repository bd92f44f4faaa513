import { useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';

/** At most this many hosts are taken from `?adhoc=`. */
const MAX_ADHOC_HOSTS = 500;

/** The host names of `?adhoc=a,b` as the dialog's names field, or undefined. */
export function adhocHostsOf(value: string | null): string | undefined {
  const names = (value ?? '')
    .split(',')
    .map(n => n.trim())
    .filter(Boolean)
    .slice(0, MAX_ADHOC_HOSTS);
  return names.length > 0 ? names.join(', ') : undefined;
}

/**
 * `?adhoc=web-01,web-02` (the Hosts page's "Run a command"): calls `open`
 * once the user may run commands, and `clearAdhoc` drops the parameter when
 * the dialog closes.
 */
export function useAdhocFromUrl(allowed: boolean, open: () => void) {
  const [params, setParams] = useSearchParams();
  const adhocHosts = adhocHostsOf(params.get('adhoc'));
  useEffect(() => {
    if (adhocHosts && allowed) open();
    // open is a new function on every render; the hosts and permission decide
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [adhocHosts, allowed]);
  const clearAdhoc = () => {
    if (params.has('adhoc')) {
      const rest = new URLSearchParams(params);
      rest.delete('adhoc');
      setParams(rest, { replace: true });
    }
  };
  return { adhocHosts, clearAdhoc };
}
