import { useState } from 'react';
import { useEntity } from '@backstage/plugin-catalog-react';
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
