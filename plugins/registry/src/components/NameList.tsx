import { Progress } from '@backstage/core-components';
import {
  Button,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { useCallback, useEffect, useState } from 'react';
import { RegistryErrorAlert } from './RegistryErrorAlert';

const PAGE = 50;

/**
 * A list of names loaded a page at a time (repositories or tags), with a
 * "more" button while the registry has a next page.
 */
export function NameList(props: {
  title: string;
  empty: string;
  more: string;
  load: (
    limit: number,
    last?: string,
  ) => Promise<{ items: string[]; next?: string }>;
  onOpen: (name: string) => void;
}) {
  const { load } = props;
  const [items, setItems] = useState<string[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();

  const fetchPage = useCallback(
    async (last?: string) => {
      setLoading(true);
      setError(undefined);
      try {
        const page = await load(PAGE, last);
        setItems(prev => (last ? [...prev, ...page.items] : page.items));
        setNext(page.next);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [load],
  );

  useEffect(() => {
    setItems([]);
    fetchPage();
  }, [fetchPage]);

  return (
    <>
      <Typography variant="h6">{props.title}</Typography>
      {error && <RegistryErrorAlert error={error} />}
      {!loading && !error && items.length === 0 && (
        <Typography color="textSecondary">{props.empty}</Typography>
      )}
      <List dense>
        {items.map(name => (
          <ListItem button key={name} onClick={() => props.onOpen(name)}>
            <ListItemText primary={name} />
          </ListItem>
        ))}
      </List>
      {loading && <Progress />}
      {next && !loading && (
        <Button variant="outlined" onClick={() => fetchPage(next)}>
          {props.more}
        </Button>
      )}
    </>
  );
}
