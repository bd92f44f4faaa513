import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { demoCatalog } from '../__testUtils__/demoCatalog';
import { DatabasePicker } from './DatabasePicker';

/** Renders the field as the scaffolder form would: it owns the value. */
function Form(props: { onChange: (value: string) => void; initial?: string }) {
  const [value, setValue] = useState<string | undefined>(props.initial);
  const fieldProps = {
    formData: value,
    onChange: (next: string) => {
      props.onChange(next);
      setValue(next);
    },
    schema: { title: 'Database', description: 'The database to use' },
    uiSchema: {},
    idSchema: { $id: 'root_database' },
    required: true,
    rawErrors: [],
  };
  return <DatabasePicker {...(fieldProps as any)} />;
}

function databaseBox() {
  return screen.findByRole('textbox', { name: /^Database/ });
}

describe('OpsdeckDatabasePicker', () => {
  it('lists only the catalog databases, with engine and environment', async () => {
    await renderInTestApp(<Form onChange={jest.fn()} />, {
      apis: [catalogApiMock({ entities: demoCatalog })],
    });
    await userEvent.click(await databaseBox());
    // not the redis cache, not the hosts
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual(['pay-db-main — postgresql, prod', 'shop-db — mysql, staging']);
  });

  it('narrows the list as the user types and sets the value to the entity ref', async () => {
    const onChange = jest.fn();
    await renderInTestApp(<Form onChange={onChange} />, {
      apis: [catalogApiMock({ entities: demoCatalog })],
    });
    await userEvent.type(await databaseBox(), 'shop');
    expect(
      (await screen.findAllByRole('option')).map(o => o.textContent),
    ).toEqual(['shop-db — mysql, staging']);
    await userEvent.click(screen.getByRole('option', { name: /^shop-db/ }));
    expect(onChange).toHaveBeenLastCalledWith('resource:default/shop-db');
    expect(await databaseBox()).toHaveValue('shop-db — mysql, staging');
  });

  it('shows a value it was given and clears to an empty string', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <Form initial="resource:default/pay-db-main" onChange={onChange} />,
      { apis: [catalogApiMock({ entities: demoCatalog })] },
    );
    const box = await databaseBox();
    await screen.findByDisplayValue('pay-db-main — postgresql, prod');
    await userEvent.click(box);
    // MUI shows the clear button on hover/focus only (CSS), hence by title
    await userEvent.click(screen.getByTitle('Clear'));
    expect(onChange).toHaveBeenLastCalledWith('');
  });

  it('says so when the catalog has no database', async () => {
    await renderInTestApp(<Form onChange={jest.fn()} />, {
      apis: [
        catalogApiMock({
          entities: demoCatalog.filter(e => e.spec?.type !== 'database'),
        }),
      ],
    });
    await userEvent.click(await databaseBox());
    expect(
      await screen.findByText('No database in the catalog.'),
    ).toBeInTheDocument();
  });

  it('shows the catalog error in place of the description', async () => {
    await renderInTestApp(<Form onChange={jest.fn()} />, {
      apis: [
        catalogApiMock.mock({
          getEntities: jest
            .fn()
            .mockRejectedValue(new Error('catalog is unavailable (503)')),
        }),
      ],
    });
    expect(
      await screen.findByText('catalog is unavailable (503)'),
    ).toBeInTheDocument();
    expect(screen.queryByText('The database to use')).not.toBeInTheDocument();
  });
});
