import type { ReactNode } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link, Progress } from '@backstage/core-components';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import { workbenchTranslationRef } from '../translation';

/** Loading, error or the card's body. */
export function CardState(props: {
  loading: boolean;
  error?: Error;
  children: ReactNode;
}) {
  const { t } = useTranslationRef(workbenchTranslationRef);
  if (props.loading) return <Progress />;
  if (props.error) {
    return (
      <Typography variant="body2" color="error" role="alert">
        {t('common.error', { message: props.error.message })}
      </Typography>
    );
  }
  return <>{props.children}</>;
}

/** A short list of linked rows; `empty` when there are none. */
export function LinkList(props: {
  label?: string;
  empty: string;
  testId: string;
  items: {
    key: string;
    to: string;
    primary: ReactNode;
    secondary?: ReactNode;
    action?: ReactNode;
  }[];
}) {
  return (
    <Box mb={1} data-testid={props.testId}>
      {props.label ? (
        <Typography variant="subtitle2" component="h3">
          {props.label}
        </Typography>
      ) : null}
      {props.items.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {props.empty}
        </Typography>
      ) : (
        <List dense disablePadding>
          {props.items.map(item => (
            <ListItem key={item.key} disableGutters>
              <ListItemText
                primary={<Link to={item.to}>{item.primary}</Link>}
                secondary={item.secondary}
              />
              {item.action}
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

/** "Show all" link under a card's list. */
export function MoreLink(props: { to: string }) {
  const { t } = useTranslationRef(workbenchTranslationRef);
  return (
    <Typography variant="body2" align="right">
      <Link to={props.to}>{t('common.more')}</Link>
    </Typography>
  );
}

/** `user:default/bob` → `bob`. */
export const shortRef = (ref: string) =>
  ref.replace(/^[a-z]+:(default\/)?/, '');
