import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AlertRule, RuleInput } from '@opsdeck/plugin-monitoring-common';
import { RuleDialog } from './RuleDialog';
import { ENTITIES, responseError, TEMPLATES } from './__testUtils__/fixtures';

async function render(
  onSubmit: (input: RuleInput) => Promise<void>,
  rule?: AlertRule,
) {
  const onClose = jest.fn();
  await renderInTestApp(
    <RuleDialog
      rule={rule}
      templates={TEMPLATES}
      onClose={onClose}
      onSubmit={onSubmit}
    />,
    {
      apis: [
        [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
        mockApis.discovery({ baseUrl: 'http://example.test' }),
        mockApis.fetch({
          baseImplementation: (async () =>
            new Response('{}', { status: 404 })) as typeof fetch,
        }),
      ] as const,
    },
  );
  return { onClose };
}

async function pickEntity(label: string, option: RegExp) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('RuleDialog', () => {
  it('creates a host-down rule for a host picked from the catalog', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    expect(screen.getByText('New alert rule')).toBeInTheDocument();
    expect(
      screen.getByText('Fires HostDown; default duration 1m'),
    ).toBeInTheDocument();
    // only monitored resources are offered, never a component
    await userEvent.click(screen.getByLabelText('Entity'));
    expect(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole('option', { name: /Main DB/ })).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: /shop/ })).toBeNull();
    await userEvent.click(
      screen.getByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.type(screen.getByLabelText('Rule name'), 'web-01 down');
    await userEvent.type(screen.getByLabelText(/^For/), '2m');
    await userEvent.selectOptions(screen.getByLabelText('Severity'), 'warning');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'web-01 down',
      template: 'host-down',
      scope: { entityRef: 'resource:default/web-01' },
      params: { severity: 'warning', for: '2m' },
      enabled: true,
    });
  });

  it('refuses to save without a name, a scope or a valid duration', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    await userEvent.type(screen.getByLabelText(/^For/), '5 minutes');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByText('Give the rule a name.')).toBeInTheDocument();
    expect(
      screen.getByText('Pick an entity or fill at least one selector field.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('A number and s, m or h (e.g. 5m).'),
    ).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows promtool's refusal and keeps the dialog open", async () => {
    const onSubmit = jest.fn(async () => {
      throw responseError(
        400,
        'promtool check rules refused the rules: group "opsdeck", rule 1: could not parse expression',
      );
    });
    const { onClose } = await render(onSubmit);
    await userEvent.type(screen.getByLabelText('Rule name'), 'db full');
    await userEvent.selectOptions(
      screen.getByLabelText('Template'),
      'disk-full',
    );
    await userEvent.type(screen.getByLabelText('Threshold (%)'), '95');
    await pickEntity('Entity', /Main DB/);
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The rule was refused: promtool check rules refused the rules: group "opsdeck", rule 1: could not parse expression',
    );
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'db full',
      template: 'disk-full',
      scope: { entityRef: 'resource:default/db-01' },
      params: { severity: 'critical', threshold: 95 },
      enabled: true,
    });
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Rule name')).toHaveValue('db full');
  });

  it('edits a selector-scoped rule with its saved values', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit, {
      id: 3,
      name: 'disks of payments',
      template: 'disk-full',
      scope: { system: 'payments' },
      params: { threshold: 80, for: '10m', severity: 'info' },
      enabled: true,
      version: 2,
      updatedBy: 'user:default/bob',
      updatedAt: '2026-12-01T00:00:00Z',
    });
    expect(screen.getByText('Edit rule disks of payments')).toBeInTheDocument();
    expect(screen.getByLabelText('Threshold (%)')).toHaveValue(80);
    expect(screen.getByLabelText('Hosts by selector')).toBeChecked();
    await userEvent.clear(screen.getByLabelText('Threshold (%)'));
    await userEvent.type(screen.getByLabelText('Threshold (%)'), '85');
    await userEvent.click(screen.getByLabelText('Enabled'));
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'disks of payments',
      template: 'disk-full',
      scope: { system: 'payments' },
      params: { severity: 'info', threshold: 85, for: '10m' },
      enabled: false,
    });
  });
});
