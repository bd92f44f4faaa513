import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { Link } from '@backstage/core-components';
import { Box, ListItem, ListItemText } from '@material-ui/core';
import type { SearchDocument } from '@backstage/plugin-search-common';
import { cmdbTranslationRef } from '../translation/translation';
import { ReachabilityChip } from './ReachabilityChip';

/** The fields of an `opsdeck-host` search document that the item shows. */
type HostSearchDocument = SearchDocument & {
  address?: string;
  environment?: string;
  os?: string;
  kernel?: string;
  ips?: string[];
  reachability?: 'reachable' | 'unreachable' | 'unknown';
};

/** A CMDB host in the search results: name, address, OS, kernel, IPs, reachability. */
export function HostSearchResultItem(props: {
  result?: SearchDocument;
  rank?: number;
}) {
  const { t } = useTranslationRef(cmdbTranslationRef);
  const doc = props.result as HostSearchDocument | undefined;
  if (!doc) return null;
  const reachable: boolean | null =
    doc.reachability === undefined || doc.reachability === 'unknown'
      ? null
      : doc.reachability === 'reachable';
  const facts = [
    doc.address,
    doc.environment,
    doc.os,
    doc.kernel,
    doc.ips && doc.ips.length > 0 ? doc.ips.join(', ') : undefined,
  ].filter(Boolean);
  return (
    <ListItem alignItems="flex-start" divider data-testid="host-search-result">
      <ListItemText
        primary={
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Link to={doc.location}>{doc.title}</Link>
            <ReachabilityChip reachable={reachable} />
          </Box>
        }
        secondary={`${t('search.host')} · ${facts.join(' · ')}`}
      />
    </ListItem>
  );
}
