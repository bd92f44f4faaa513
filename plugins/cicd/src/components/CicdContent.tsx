import { useState } from 'react';
import { useEntity, useEntityOwnership } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { cicdAnyOwnerPermission } from '@opsdeck/plugin-opsdeck-common';
import type { EntityName } from '../api';
import { BuildList } from './BuildList';
import { BuildDetailView } from './BuildDetailView';
import { DeliveryTimeline } from './DeliveryTimeline';
import { GivenUpAlerts } from './GivenUpAlerts';
import { StoredCauses } from './StoredCauses';

/**
 * The CI/CD tab: the builds list, the delivery timeline, the stored causes
 * and (for ops) the build alerts given up, or one build's detail.
 */
export function CicdContent() {
  const { entity } = useEntity();
  // a person rebuilds their own groups' components; ops any (the backend checks too)
  const { allowed: anyOwner } = usePermission({
    permission: cicdAnyOwnerPermission,
  });
  const { loading: ownershipLoading, isOwnedEntity } = useEntityOwnership();
  const owns = anyOwner || (!ownershipLoading && isOwnedEntity(entity));
  const target: EntityName = {
    kind: entity.kind,
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const [open, setOpen] = useState<{ job: string; number: number }>();
  const [page, setPage] = useState(0);
  if (open) {
    return (
      <BuildDetailView
        entity={target}
        job={open.job}
        number={open.number}
        owns={owns}
        onBack={() => setOpen(undefined)}
      />
    );
  }
  return (
    <>
      <BuildList
        entity={target}
        page={page}
        onPage={setPage}
        onOpen={(job, number) => setOpen({ job, number })}
      />
      <DeliveryTimeline
        entity={target}
        onOpen={(job, number) => setOpen({ job, number })}
      />
      <StoredCauses />
      <GivenUpAlerts />
    </>
  );
}
