import { DependencyList, useEffect, useState } from 'react';

/** The state of an async load: the value, or the error, while not loading. */
export interface Load<T> {
  loading: boolean;
  value?: T;
  error?: Error;
}

/** Runs `fn` whenever `deps` change; a newer run wins over an older one. */
export function useLoad<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
): Load<T> {
  const [state, setState] = useState<Load<T>>({ loading: true });
  useEffect(() => {
    let current = true;
    setState(s => ({ ...s, loading: true }));
    fn().then(
      value => current && setState({ loading: false, value }),
      error => current && setState({ loading: false, error }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
