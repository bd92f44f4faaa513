import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { SilenceInput } from '@opsdeck/plugin-monitoring-common';
import { SilenceDialog } from './SilenceDialog';
import { ENTITIES, responseError, TEMPLATES } from './__testUtils__/fixtures';

async function render(onSubmit: (input: SilenceInput) => Promise<void>) {
  const onClose = jest.fn();
  await renderInTestApp(
    <SilenceDialog
      templates={TEMPLATES}
      onClose={onClose}
      onSubmit={onSubmit}
    />,
    {
      apis: [[catalogApiRef, catalogApiMock({ entities: ENTITIES })]] as const,
    },
  );
  return { onClose };
}

describe('SilenceDialog', () => {
  it('silences one alert of a host picked from the catalog for 4 hours', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    await userEvent.click(screen.getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.click(screen.getByLabelText('Alert name (optional)'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'HostDown' }),
    );
    await userEvent.selectOptions(screen.getByLabelText('Duration'), '240');
    await userEvent.type(screen.getByLabelText('Comment'), 'kernel upgrade');
    await userEvent.click(screen.getByRole('button', { name: 'Silence' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/web-01',
      alertname: 'HostDown',
      minutes: 240,
      comment: 'kernel upgrade',
    });
  });

  it('silences every alert of the entity when no alert name is given', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    await userEvent.click(screen.getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /Main DB/ }),
    );
    await userEvent.type(screen.getByLabelText('Comment'), 'migration');
    await userEvent.click(screen.getByRole('button', { name: 'Silence' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/db-01',
      minutes: 60,
      comment: 'migration',
    });
  });

  it('asks for an entity and a comment, and shows a refusal', async () => {
    const onSubmit = jest.fn(async () => {
      throw responseError(400, 'Alertmanager refused the silence: HTTP 400');
    });
    const { onClose } = await render(onSubmit);
    await userEvent.click(screen.getByRole('button', { name: 'Silence' }));
    expect(screen.getByText('Pick an entity.')).toBeInTheDocument();
    expect(screen.getByText('Say why.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
    await userEvent.click(screen.getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.type(screen.getByLabelText('Comment'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Silence' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The silence was refused: Alertmanager refused the silence: HTTP 400',
    );
    expect(onClose).not.toHaveBeenCalled();
  });
});
