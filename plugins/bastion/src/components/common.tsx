import {
  TranslationFunction,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { Progress } from '@backstage/core-components';
import {
  Box,
  Button,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { ReactNode, useCallback, useState } from 'react';
import { bastionTranslationRef } from '../translation/translation';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { BastionClient } from '../api/BastionClient';
import { messageOf, useBastionClient } from './useBastion';
import { formatDateTime } from '@opsdeck/plugin-opsdeck-common';

/** The bastion plugin's translation function. */
export type BastionT = TranslationFunction<typeof bastionTranslationRef.T>;

/** The return type is spelled out: an inferred one makes tsc's declaration emit very slow. */
export function useT(): BastionT {
  return useTranslationRef(bastionTranslationRef).t;
}

export const formatTime = (iso?: string) => formatDateTime(iso);

/** `75` → `1m 15s`. */
export function formatDuration(t: BastionT, seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60);
  if (h > 0) return t('duration.hours', { h: String(h), m: String(m) });
  if (m > 0) return t('duration.minutes', { m: String(m), s });
  return t('duration.seconds', { s });
}

/** `user:default/frank` → `frank`; refs in other namespaces stay whole. */
export const shortUserRef = (ref?: string) =>
  ref?.replace(/^user:default\//, '');

/** `{ host: 'a', tag: 'b' }` → `host=a, tag=b`. */
export const selectorText = (selector: object) =>
  Object.entries(selector)
    .map(([k, val]) => `${k}=${val}`)
    .join(', ');

/** Progress while loading the first time, the error if any, else the content. */
export function Loaded<T>(props: {
  state: { loading: boolean; error?: Error; value?: T };
  children(value: T): ReactNode;
}) {
  const t = useT();
  if (props.state.loading && !props.state.value) return <Progress />;
  if (props.state.error) {
    return (
      <Alert severity="error">
        {t('common.error', { message: props.state.error.message })}
      </Alert>
    );
  }
  return <>{props.children(props.state.value as T)}</>;
}

/** A small outlined text field; `id` gives it its accessible name. */
export function OutlinedField(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  helperText?: string;
  /** Options make it a select. */
  children?: ReactNode;
}) {
  return (
    <TextField
      id={props.id}
      select={props.children !== undefined}
      size="small"
      variant="outlined"
      label={props.label}
      helperText={props.helperText}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
    >
      {props.children}
    </TextField>
  );
}

export type Column<T> = { title: string; cell(item: T): ReactNode };

/** A small table: a header row of column titles, one row per item. */
export function DataTable<T>(props: {
  items: T[];
  columns: Array<Column<T> | false>;
  rowKey(item: T): string | number;
  ariaLabel?: string;
  rowTestId?(item: T): string;
}) {
  const columns = props.columns.filter((c): c is Column<T> => c !== false);
  return (
    <Table size="small" aria-label={props.ariaLabel}>
      <TableHead>
        <TableRow>
          {columns.map(c => (
            <TableCell key={c.title}>{c.title}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {props.items.map(item => (
          <TableRow
            key={props.rowKey(item)}
            data-testid={props.rowTestId?.(item)}
          >
            {columns.map(c => (
              <TableCell key={c.title}>{c.cell(item)}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** A form that calls `onSubmit` instead of navigating. */
function SubmitForm(props: {
  onSubmit(): void;
  ariaLabel?: string;
  children: ReactNode;
}) {
  return (
    <form
      aria-label={props.ariaLabel}
      onSubmit={e => {
        e.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A form with one text field and its submit button, optionally titled. */
export function SingleFieldForm(props: {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  submitLabel: string;
  onSubmit(): void;
  /** Heading, also the form's accessible name. */
  title?: string;
  help?: string;
  /** For destructive actions. */
  secondary?: boolean;
  mb?: number;
  /** Shown below the field (e.g. the outcome). */
  children?: ReactNode;
}) {
  return (
    <SubmitForm ariaLabel={props.title} onSubmit={props.onSubmit}>
      {props.title && <Typography variant="h6">{props.title}</Typography>}
      {props.help && <Typography variant="body2">{props.help}</Typography>}
      <Box
        display="flex"
        style={{ gap: 8 }}
        mt={props.title ? 1 : undefined}
        mb={props.mb}
      >
        <OutlinedField
          id={props.id}
          label={props.label}
          value={props.value}
          onChange={props.onChange}
        />
        <Button
          type="submit"
          variant="outlined"
          color={props.secondary ? 'secondary' : undefined}
        >
          {props.submitLabel}
        </Button>
      </Box>
      {props.children}
    </SubmitForm>
  );
}

/** The outcome of an action shown to the user. */
export type Outcome = { ok: boolean; text: string };

export function OutcomeAlert(props: { outcome?: Outcome }) {
  if (!props.outcome) return null;
  return (
    <Alert severity={props.outcome.ok ? 'success' : 'error'}>
      {props.outcome.text}
    </Alert>
  );
}

export function ErrorAlert(props: { error?: string }) {
  return props.error ? <Alert severity="error">{props.error}</Alert> : null;
}

/**
 * The error of the last failed action, and `attempt`, which runs an action and keeps its
 * error message instead of throwing; it resolves to whether the action succeeded.
 */
export function useActionError() {
  const [error, setError] = useState<string>();
  const attempt = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      try {
        await action();
        return true;
      } catch (e) {
        setError(messageOf(e));
        return false;
      }
    },
    [],
  );
  return { error, setError, attempt };
}

/** A form's text values, and `bind(key)`, the value and change handler of one field. */
export function useFormValues<T extends Record<string, string>>(initial: T) {
  const [values, setValues] = useState(initial);
  const bind = (key: keyof T) => ({
    value: values[key],
    onChange: (value: string) => setValues(v => ({ ...v, [key]: value })),
  });
  return { values, bind };
}

/** A wrapping row of fields with a Create button that submits them. */
export function CreateForm(props: {
  onSubmit(): void;
  ariaLabel?: string;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <SubmitForm ariaLabel={props.ariaLabel} onSubmit={props.onSubmit}>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
        {props.children}
        <Button type="submit" variant="contained" color="primary">
          {t('common.create')}
        </Button>
      </Box>
    </SubmitForm>
  );
}

/**
 * A list loaded from the backend (`state`, reloaded with `state.retry()`), with the client and
 * the error handling of the actions that change it (see useActionError).
 */
export function useEditableList<T>(
  load: (client: BastionClient) => Promise<T>,
) {
  const client = useBastionClient();
  const state = useAsyncRetry(() => load(client), [client]);
  return { client, state, ...useActionError() };
}
