import { parseImageId, type RunningImage } from '@opsdeck/plugin-registry-node';

/** A DNS-1123 name (namespace, pod) as the API server allows it. */
const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * The running image digests of a page of pods (`items` of a PodList), one
 * per container, init container and ephemeral container status whose
 * `imageID` names a repository digest. A pod or an image ID that does not
 * parse is skipped: nothing is guessed.
 */
export function podImages(
  items: unknown,
  cluster: { name: string; entityRef: string },
): RunningImage[] {
  if (!Array.isArray(items)) return [];
  const images: RunningImage[] = [];
  for (const pod of items) {
    const namespace = pod?.metadata?.namespace;
    const name = pod?.metadata?.name;
    if (typeof namespace !== 'string' || !NAME.test(namespace)) continue;
    if (typeof name !== 'string' || !NAME.test(name)) continue;
    const status = pod?.status ?? {};
    for (const list of [
      status.containerStatuses,
      status.initContainerStatuses,
      status.ephemeralContainerStatuses,
    ]) {
      if (!Array.isArray(list)) continue;
      for (const container of list) {
        const parsed = parseImageId(container?.imageID);
        if (!parsed) continue;
        images.push({
          ...parsed,
          kind: 'pod',
          where: `${cluster.name}/${namespace}/${name}`,
          entityRef: cluster.entityRef,
        });
      }
    }
  }
  return images;
}
