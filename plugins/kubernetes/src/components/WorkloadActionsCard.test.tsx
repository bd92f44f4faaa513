import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  BASE,
  DIGEST_NEW,
  DIGEST_OLD,
  objects,
  renderCard,
} from '../__testUtils__/renderCard';

const ALL = [
  'opsdeck.kubernetes.deployment.restart',
  'opsdeck.kubernetes.deployment.scale',
  'opsdeck.kubernetes.pod.delete',
  'kubernetes.proxy',
];
const TARGET = {
  entityRef: 'component:default/payments-api',
  cluster: 'k8s-prod',
  namespace: 'payments',
};

const IMAGE = 'opsdeck.kubernetes.deployment.image';
const PINNED = `registry.test:5000/shop/payments-api:1.9.0@${DIGEST_NEW}`;
const ROLLOUT_DONE = {
  state: 'complete',
  message: 'deployment "payments-api" successfully rolled out',
  revision: '4',
  replicas: 2,
  updated: 2,
  ready: 2,
  available: 2,
  conditions: [],
};

/**
 * A prod cluster's answers: 403 approvalRequired, 202 with ticket 7 when
 * asked, `done` with ticket 7.
 */
function approvalFlow(done: unknown) {
  return (c: { url: string; body?: any }) => {
    if (c.url.includes('/deployments/rollout')) {
      return { status: 200, body: ROLLOUT_DONE };
    }
    if (c.body?.approvalTicket === 7) return { status: 200, body: done };
    if (c.body?.requestApproval) {
      return {
        status: 202,
        body: {
          approvalTicket: {
            ticketId: 7,
            url: '/tickets/7',
            approvers: ['group:default/ops'],
          },
        },
      };
    }
    return {
      status: 403,
      body: {
        error: { name: 'ApprovalRequiredError', message: 'prod' },
        approvalRequired: true,
      },
    };
  };
}

async function confirm() {
  const dialog = await screen.findByRole('dialog');
  await userEvent.click(
    within(dialog).getByRole('button', { name: 'Confirm' }),
  );
  await waitFor(() =>
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
  );
}

describe('WorkloadActionsCard', () => {
  it('shows every action to a person holding every permission, and restarts after confirming', async () => {
    const calls = renderCard({
      allowed: ALL,
      answer: () => ({ status: 200, body: { restartedAt: 'now' } }),
    });
    await screen.findByText('payments-api-7d9f-abcde');
    expect(screen.getByRole('button', { name: 'Restart' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Scale' })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Delete pod' }),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Restart' }));
    expect(
      await screen.findByText(
        'Restart deployment payments-api on Prod cluster?',
      ),
    ).toBeInTheDocument();
    await confirm();
    expect(
      await screen.findByText('Restarted payments-api'),
    ).toBeInTheDocument();
    const posted = calls.filter(c => c.method === 'POST');
    expect(posted).toEqual([
      expect.objectContaining({
        url: `${BASE}/api/kubernetes/opsdeck/deployments/restart`,
        body: { ...TARGET, name: 'payments-api' },
      }),
    ]);
  });

  it('scales to the typed replicas, and deletes a pod only after confirming', async () => {
    const calls = renderCard({
      allowed: ALL,
      answer: c =>
        c.url.endsWith('/scale')
          ? { status: 200, body: { replicas: 3, previous: 2 } }
          : { status: 200, body: {} },
    });
    const input = await screen.findByLabelText('Replicas for payments-api');
    await userEvent.clear(input);
    await userEvent.type(input, '3');
    await userEvent.click(screen.getByRole('button', { name: 'Scale' }));
    await confirm();
    expect(
      await screen.findByText('Scaled payments-api from 2 to 3 replicas'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Delete pod' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(calls.filter(c => c.method === 'POST').map(c => c.body)).toEqual([
      { ...TARGET, name: 'payments-api', replicas: 3 },
    ]);
  });

  it('shows no action to a person without the permissions, and names them', async () => {
    const calls = renderCard({ allowed: [] });
    await screen.findByText('payments-api-7d9f-abcde');
    expect(
      screen.getByText(
        'You cannot change these workloads: that needs opsdeck.kubernetes.deployment.restart, opsdeck.kubernetes.deployment.scale, opsdeck.kubernetes.pod.delete, opsdeck.kubernetes.deployment.image.',
      ),
    ).toBeInTheDocument();
    for (const name of [
      'Restart',
      'Scale',
      'Delete pod',
      /Download logs/,
      'Deploy image…',
      'Roll back',
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    expect(calls.filter(c => c.method === 'POST')).toEqual([]);
  });

  it('shows only the actions whose permission the person holds', async () => {
    renderCard({ allowed: ['opsdeck.kubernetes.deployment.restart'] });
    await screen.findByRole('button', { name: 'Restart' });
    expect(screen.queryByRole('button', { name: 'Scale' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete pod' })).toBeNull();
    expect(screen.queryByText(/You cannot change/)).toBeNull();
    // deploy and roll back need opsdeck.kubernetes.deployment.image
    expect(screen.queryByRole('button', { name: 'Deploy image…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Roll back' })).toBeNull();
  });

  it('deploys a tag picked from the registry, pinned to the digest shown, and follows the rollout', async () => {
    const calls = renderCard({
      allowed: [IMAGE],
      rolloutPollMs: 1,
      answer: c =>
        c.url.includes('/deployments/rollout')
          ? { status: 200, body: ROLLOUT_DONE }
          : {
              status: 200,
              body: {
                image: `registry.test:5000/shop/payments-api@${DIGEST_NEW}`,
                previousImage: 'registry.test:5000/shop/payments-api:1.8.0',
              },
            },
    });
    expect(
      await screen.findByRole('button', { name: 'Deploy image…' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Restart' })).toBeNull();
    await userEvent.click(
      screen.getByRole('button', { name: 'Deploy image…' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(
      'Deploy an image to payments-api on Prod cluster',
    );
    const deploy = within(dialog).getByRole('button', { name: 'Deploy' });
    expect(deploy).toBeDisabled();
    await userEvent.click(
      await within(dialog).findByRole('radio', { name: /^1\.9\.0 · / }),
    );
    expect(
      within(dialog).getByTestId('kubernetes-deploy-pinned'),
    ).toHaveTextContent(PINNED);
    await userEvent.click(deploy);
    expect(
      await screen.findByText(
        `Deploying registry.test:5000/shop/payments-api@${DIGEST_NEW} to payments-api (was registry.test:5000/shop/payments-api:1.8.0)`,
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('Rollout complete')).toBeInTheDocument();
    expect(calls.filter(c => c.url.includes('/api/registry/'))).toEqual([
      expect.objectContaining({ url: `${BASE}/api/registry/registries` }),
      expect.objectContaining({
        url: `${BASE}/api/registry/registries/default/demo-registry/recent-tags?repository=shop%2Fpayments-api&limit=20`,
      }),
    ]);
    expect(calls.filter(c => c.method === 'POST')).toEqual([
      expect.objectContaining({
        url: `${BASE}/api/kubernetes/opsdeck/deployments/image`,
        body: {
          ...TARGET,
          name: 'payments-api',
          container: 'api',
          image: PINNED,
          watchSeconds: 0,
        },
      }),
    ]);
    expect(
      calls.some(c => c.url.includes('/opsdeck/deployments/rollout?')),
    ).toBe(true);
  });

  it("names the container's image the cluster runs now, not the one it ran when the dialog opened", async () => {
    // the image a deploy (here, someone else's) set while the dialog is open
    let image = `registry.test:5000/shop/payments-api@${DIGEST_OLD}`;
    const read = () => {
      const copy = JSON.parse(JSON.stringify(objects));
      copy.items[0].resources[0].resources[0].spec.template.spec.containers[0].image =
        image;
      return copy;
    };
    renderCard({ allowed: [IMAGE], objectsPollMs: 50, readObjects: read });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Deploy image…' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(`Container api runs ${image}`);
    await userEvent.click(
      await within(dialog).findByRole('radio', { name: /^1\.9\.0 · / }),
    );
    image = `registry.test:5000/shop/payments-api@${DIGEST_NEW}`;
    await waitFor(() =>
      expect(dialog).toHaveTextContent(`Container api runs ${image}`),
    );
    // the next read changes nothing the person picked
    expect(
      within(dialog).getByTestId('kubernetes-deploy-pinned'),
    ).toHaveTextContent(PINNED);
    expect(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    ).toBeEnabled();
  });

  it('rolls back to the revision the confirmation names, only after confirming', async () => {
    const calls = renderCard({
      allowed: [IMAGE],
      rolloutPollMs: 1,
      answer: c =>
        c.url.includes('/deployments/rollout')
          ? { status: 200, body: ROLLOUT_DONE }
          : { status: 200, body: { fromRevision: 3, toRevision: 2 } },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Roll back' }),
    );
    const text =
      'Roll back deployment payments-api on Prod cluster to revision 2 (api=registry.test:5000/shop/payments-api:1.8.0)?';
    let dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(text);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Cancel' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(calls.filter(c => c.method === 'POST')).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent(text);
    await confirm();
    expect(
      await screen.findByText('Rolling payments-api back to revision 2'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Rollout complete')).toBeInTheDocument();
    expect(calls.filter(c => c.method === 'POST')).toEqual([
      expect.objectContaining({
        url: `${BASE}/api/kubernetes/opsdeck/deployments/rollback`,
        body: {
          ...TARGET,
          name: 'payments-api',
          toRevision: 2,
          watchSeconds: 0,
        },
      }),
    ]);
  });

  it('deploys on prod with an approved ticket: the same image and container in every request', async () => {
    const calls = renderCard({
      allowed: [IMAGE],
      answer: approvalFlow({ image: PINNED, previousImage: 'x' }),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Deploy image…' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      await within(dialog).findByRole('radio', { name: /^1\.9\.0 · / }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    const panel = await screen.findByTestId('kubernetes-approval');
    await userEvent.click(
      within(panel).getByRole('button', { name: 'Request approval' }),
    );
    await screen.findByText(/Approval ticket 7 opened/);
    await userEvent.click(
      screen.getByRole('button', { name: 'Run with approved ticket' }),
    );
    expect(
      await screen.findByText(/^Deploying .* to payments-api/),
    ).toBeInTheDocument();
    const body = {
      ...TARGET,
      name: 'payments-api',
      container: 'api',
      image: PINNED,
      watchSeconds: 0,
    };
    expect(calls.filter(c => c.method === 'POST').map(c => c.body)).toEqual([
      body,
      { ...body, requestApproval: true },
      { ...body, approvalTicket: 7 },
    ]);
  });

  it('on prod without the prod permission: request approval, then run with the approved ticket', async () => {
    const calls = renderCard({
      allowed: ALL,
      answer: c => {
        if (c.body.approvalTicket === 7) {
          return { status: 200, body: { restartedAt: 'now' } };
        }
        if (c.body.requestApproval) {
          return {
            status: 202,
            body: {
              approvalTicket: {
                ticketId: 7,
                url: '/tickets/7',
                approvers: ['group:default/ops'],
              },
            },
          };
        }
        return {
          status: 403,
          body: {
            error: {
              name: 'ApprovalRequiredError',
              message:
                'k8s-prod is a prod cluster: changing its workloads needs opsdeck.kubernetes.prod.change',
            },
            approvalRequired: true,
          },
        };
      },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Restart' }),
    );
    await confirm();
    const panel = await screen.findByTestId('kubernetes-approval');
    expect(panel).toHaveTextContent('needs opsdeck.kubernetes.prod.change');
    await userEvent.click(
      within(panel).getByRole('button', { name: 'Request approval' }),
    );
    expect(
      await screen.findByText(
        /Approval ticket 7 opened for group:default\/ops/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open ticket 7' })).toHaveAttribute(
      'href',
      '/tickets/7',
    );
    expect(screen.getByLabelText('Approved ticket #')).toHaveValue(7);
    await userEvent.click(
      screen.getByRole('button', { name: 'Run with approved ticket' }),
    );
    expect(
      await screen.findByText('Restarted payments-api'),
    ).toBeInTheDocument();
    expect(calls.filter(c => c.method === 'POST').map(c => c.body)).toEqual([
      { ...TARGET, name: 'payments-api' },
      { ...TARGET, name: 'payments-api', requestApproval: true },
      { ...TARGET, name: 'payments-api', approvalTicket: 7 },
    ]);
  });

  it('keeps the approval panel and says why when a ticket cannot be claimed', async () => {
    renderCard({
      allowed: ALL,
      answer: c =>
        c.body.approvalTicket
          ? {
              status: 409,
              body: {
                error: {
                  name: 'ConflictError',
                  message: 'Ticket 9 is not approved',
                },
              },
            }
          : {
              status: 403,
              body: {
                error: { name: 'E', message: 'prod' },
                approvalRequired: true,
              },
            },
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Delete pod' }),
    );
    await confirm();
    await screen.findByTestId('kubernetes-approval');
    await userEvent.type(screen.getByLabelText('Approved ticket #'), '9');
    await userEvent.click(
      screen.getByRole('button', { name: 'Run with approved ticket' }),
    );
    expect(
      await screen.findByText('The action failed: Ticket 9 is not approved'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('kubernetes-approval')).toBeInTheDocument();
  });

  it('shows a refusal that is not an approval as an error', async () => {
    renderCard({
      allowed: ALL,
      answer: () => ({
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message:
              'component:default/payments-api is not owned by your groups',
          },
        },
      }),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Restart' }),
    );
    await confirm();
    expect(
      await screen.findByText(
        'The action failed: component:default/payments-api is not owned by your groups',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('kubernetes-approval')).toBeNull();
  });

  it('downloads the current and the previous container log through the read-only proxy', async () => {
    const created: Blob[] = [];
    const names: string[] = [];
    (URL as any).createObjectURL = (b: Blob) => {
      created.push(b);
      return 'blob:x';
    };
    (URL as any).revokeObjectURL = () => {};
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function recordDownload(this: HTMLAnchorElement) {
        names.push(this.download);
      });
    const calls = renderCard({ allowed: ['kubernetes.proxy'] });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Download logs (api)' }),
    );
    await screen.findByText(/^Downloaded payments-api-7d9f-abcde-api-/);
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous container logs (api)' }),
    );
    await screen.findByText(
      /^Downloaded payments-api-7d9f-abcde-api-previous-/,
    );
    const logs = calls.filter(c => c.url.includes('/proxy/'));
    expect(logs.map(c => c.url)).toEqual([
      `${BASE}/api/kubernetes/proxy/api/v1/namespaces/payments/pods/payments-api-7d9f-abcde/log?container=api&limitBytes=16777216`,
      `${BASE}/api/kubernetes/proxy/api/v1/namespaces/payments/pods/payments-api-7d9f-abcde/log?container=api&limitBytes=16777216&previous=true`,
    ]);
    expect(
      logs.every(
        c => c.headers?.['Backstage-Kubernetes-Cluster'] === 'k8s-prod',
      ),
    ).toBe(true);
    expect(names[0]).toMatch(
      /^payments-api-7d9f-abcde-api-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.log$/,
    );
    expect(names[1]).toMatch(/^payments-api-7d9f-abcde-api-previous-.*\.log$/);
    expect(await created[0].text()).toBe('line 1\nline 2\n');
    click.mockRestore();
  });
});
