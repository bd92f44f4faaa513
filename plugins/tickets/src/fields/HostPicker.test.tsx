import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { demoCatalog } from '../__testUtils__/demoCatalog';
import { HostPicker, type HostPickerUiOptions } from './HostPicker';

/** Renders the field as the scaffolder form would: it owns the value. */
function Form(props: {
  uiOptions?: HostPickerUiOptions;
  onChange: (value: string[]) => void;
  initial?: string[];
}) {
  const [value, setValue] = useState<string[] | undefined>(props.initial);
  const fieldProps = {
    formData: value,
    onChange: (next: string[]) => {
      props.onChange(next);
      setValue(next);
    },
    schema: { title: 'Hosts', description: 'The hosts to reach' },
    uiSchema: props.uiOptions ? { 'ui:options': props.uiOptions } : {},
    idSchema: { $id: 'root_hosts' },
    required: true,
    rawErrors: [],
  };
  return <HostPicker {...(fieldProps as any)} />;
}

async function openOptions() {
  await userEvent.click(await screen.findByRole('textbox', { name: /^Hosts/ }));
  return (await screen.findAllByRole('option')).map(o => o.textContent);
}

describe('OpsdeckHostPicker', () => {
  it('lists only the catalog hosts, with environment and system, sorted by name', async () => {
    await renderInTestApp(<Form onChange={jest.fn()} />, {
      apis: [catalogApiMock({ entities: demoCatalog })],
    });
    expect(await openOptions()).toEqual([
      'build-01 (dev, platform)',
      'legacy-01 (staging, platform)',
      'pay-app-01 (prod, payments)',
      'web-01 (prod, storefront)',
      'web-02 (staging, storefront)',
    ]);
  });

  it('filters by environment and system, and starts from ui:options.environment', async () => {
    await renderInTestApp(
      <Form uiOptions={{ environment: 'staging' }} onChange={jest.fn()} />,
      { apis: [catalogApiMock({ entities: demoCatalog })] },
    );
    // legacy-01 has its environment only as the opsdeck.io/environment label
    expect(await openOptions()).toEqual([
      'legacy-01 (staging, platform)',
      'web-02 (staging, storefront)',
    ]);
    await userEvent.keyboard('{Escape}');

    await userEvent.click(screen.getByRole('button', { name: /^System/ }));
    const systems = screen.getByRole('listbox');
    expect(
      within(systems)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Any', 'payments', 'platform', 'storefront']);
    await userEvent.click(
      within(systems).getByRole('option', { name: 'storefront' }),
    );
    expect(await openOptions()).toEqual(['web-02 (staging, storefront)']);
    await userEvent.keyboard('{Escape}');

    await userEvent.click(screen.getByRole('button', { name: /^Environment/ }));
    await userEvent.click(screen.getByRole('option', { name: 'prod' }));
    expect(await openOptions()).toEqual(['web-01 (prod, storefront)']);
  });

  it('sets the form value to the entity refs of the chosen hosts', async () => {
    const onChange = jest.fn();
    await renderInTestApp(<Form onChange={onChange} />, {
      apis: [catalogApiMock({ entities: demoCatalog })],
    });
    await openOptions();
    await userEvent.click(screen.getByRole('option', { name: /^web-02/ }));
    expect(onChange).toHaveBeenLastCalledWith(['resource:default/web-02']);
    await openOptions();
    await userEvent.click(screen.getByRole('option', { name: /^build-01/ }));
    expect(onChange).toHaveBeenLastCalledWith([
      'resource:default/web-02',
      'resource:default/build-01',
    ]);
    // the chosen hosts show as chips
    expect(screen.getByRole('button', { name: 'web-02' })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'build-01' }),
    ).toBeInTheDocument();
  });

  it('keeps only the last host with ui:options.single', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <Form
        uiOptions={{ single: true }}
        initial={['resource:default/web-01']}
        onChange={onChange}
      />,
      { apis: [catalogApiMock({ entities: demoCatalog })] },
    );
    expect(
      await screen.findByRole('button', { name: 'web-01' }),
    ).toBeInTheDocument();
    await openOptions();
    await userEvent.click(screen.getByRole('option', { name: /^pay-app-01/ }));
    expect(onChange).toHaveBeenLastCalledWith(['resource:default/pay-app-01']);
  });

  it('says so when no host matches the filters', async () => {
    await renderInTestApp(
      <Form uiOptions={{ environment: 'prod' }} onChange={jest.fn()} />,
      {
        apis: [
          catalogApiMock({
            entities: demoCatalog.filter(
              e =>
                e.metadata.name !== 'pay-app-01' &&
                e.metadata.name !== 'web-01',
            ),
          }),
        ],
      },
    );
    await userEvent.click(
      await screen.findByRole('textbox', { name: /^Hosts/ }),
    );
    expect(
      await screen.findByText('No host matches these filters.'),
    ).toBeInTheDocument();
    expect(screen.queryAllByRole('option')).toEqual([]);
  });

  it('shows the catalog error in place of the description', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntities: jest
        .fn()
        .mockRejectedValue(new Error('catalog is unavailable (503)')),
    });
    await renderInTestApp(<Form onChange={jest.fn()} />, {
      apis: [catalogApi],
    });
    expect(
      await screen.findByText('catalog is unavailable (503)'),
    ).toBeInTheDocument();
    expect(screen.queryByText('The hosts to reach')).not.toBeInTheDocument();
    expect(catalogApi.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({
        filter: { kind: 'Resource', 'spec.type': 'host' },
      }),
    );
  });
});
