import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterDetails } from '@backstage/plugin-kubernetes-node';
import type {
  RunningDigestsService,
  RunningImage,
} from '@opsdeck/plugin-registry-node';
import { secretTarget, type VaultService } from '@opsdeck/plugin-vault-node';
import { AUTH_META } from '../model';
import { kubeRequest, statusMessage } from '../clusters/kubeRequest';
import type { CatalogClusterSupplier } from '../clusters/CatalogClusterSupplier';
import { podImages } from './podDigests';

/** The vault use of the scheduled pod listing (no person). */
export const POLL_USE = 'kubernetes-poll' as const;

/** Pods asked for per page, and pages read per cluster at most. */
const PAGE = 500;
const MAX_PAGES = 40;

/** What one run found per cluster (for logs and tests). */
export interface ClusterRunResult {
  cluster: string;
  images?: number;
  error?: string;
}

/**
 * Lists the pods of every catalog cluster (all namespaces, paged with
 * `limit`/`continue`) with the cluster's token taken out of the vault for
 * the use `kubernetes-poll` (the plugin's own: a scheduled task has no
 * person) and reports each container's image digest to the registry
 * (`runningDigestsServiceRef`, source `cluster:<name>`). A cluster that
 * fails (vault refusal, unreachable, an error answer) reports nothing this
 * time: its last report stands until it expires.
 */
export class RunningPodsTask {
  constructor(
    private readonly options: {
      clusters: Pick<CatalogClusterSupplier, 'getClusters'>;
      auth: AuthService;
      vault: Pick<VaultService, 'getSecret'>;
      running: RunningDigestsService;
      logger: LoggerService;
      /** Pods per page (500). */
      pageSize?: number;
    },
  ) {}

  async run(): Promise<ClusterRunResult[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const clusters = await this.options.clusters.getClusters({ credentials });
    const results: ClusterRunResult[] = [];
    for (const cluster of clusters) {
      try {
        const images = await this.clusterImages(cluster);
        await this.options.running.report(`cluster:${cluster.name}`, images);
        results.push({ cluster: cluster.name, images: images.length });
      } catch (error) {
        const message = (error as Error).message;
        this.options.logger.warn(
          `Running images of cluster ${cluster.name} not read: ${message}`,
        );
        results.push({ cluster: cluster.name, error: message });
      }
    }
    return results;
  }

  private async clusterImages(
    cluster: ClusterDetails,
  ): Promise<RunningImage[]> {
    const meta = cluster.authMetadata;
    const name = meta[AUTH_META.credential];
    const ref = meta[AUTH_META.ref];
    if (!name || !ref) throw new Error('the cluster names no credential');
    const secret = await this.options.vault.getSecret(name, {
      use: POLL_USE,
      for: secretTarget({
        ref,
        owner: meta[AUTH_META.owner],
        system: meta[AUTH_META.system],
        environment: meta[AUTH_META.environment],
      }),
    });
    if (secret.type !== 'password' || !secret.password) {
      throw new Error(`vault credential ${name} is not a token`);
    }
    const credential = {
      type: 'bearer token',
      token: secret.password,
    } as const;
    const images: RunningImage[] = [];
    const limit = this.options.pageSize ?? PAGE;
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await kubeRequest(cluster, credential, {
        path: '/api/v1/pods',
        query: { limit: String(limit), ...(next ? { continue: next } : {}) },
      });
      if (answer.status !== 200) {
        throw new Error(
          `GET /api/v1/pods answered ${answer.status}${
            statusMessage(answer) ? `: ${statusMessage(answer)}` : ''
          }`,
        );
      }
      let list: any;
      try {
        list = JSON.parse(answer.body.toString('utf8'));
      } catch {
        throw new Error('GET /api/v1/pods answered no JSON');
      }
      if (list?.kind !== 'PodList') {
        throw new Error('GET /api/v1/pods answered no PodList');
      }
      images.push(
        ...podImages(list.items, { name: cluster.name, entityRef: ref }),
      );
      next =
        typeof list.metadata?.continue === 'string' && list.metadata.continue
          ? list.metadata.continue
          : undefined;
      if (!next) return images;
    }
    throw new Error(`more than ${limit * MAX_PAGES} pods; not reported`);
  }
}
