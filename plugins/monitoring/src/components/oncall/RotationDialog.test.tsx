import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ENTITIES } from '../alerts/__testUtils__/fixtures';
import { RotationDialog } from './RotationDialog';

describe('RotationDialog', () => {
  it('speaks zh-CN and says a coded refusal in it, not the server’s English', async () => {
    const onSubmit = jest.fn(async () => {
      throw Object.assign(new Error('Request failed with 400'), {
        statusCode: 400,
        body: {
          error: {
            name: 'InputError',
            message: 'Asia/Nowhere is not an IANA time zone',
            code: 'monitoring-rotation-timezone-invalid',
            field: 'timeZone',
          },
          response: { statusCode: 400 },
        },
      });
    });
    await renderInTestApp(
      <RotationDialog onClose={jest.fn()} onSubmit={onSubmit} />,
      {
        apis: [
          [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
          mockApis.appLanguage({
            defaultLanguage: 'zh-CN',
            availableLanguages: ['en', 'zh-CN'],
          }),
        ] as const,
      },
    );
    expect(await screen.findByText('新建值班轮值')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('名称'), '主值班');
    await userEvent.click(screen.getByLabelText('组（告警负责组）'));
    await userEvent.click(
      await screen.findByRole('option', { name: /group:default\/ops/ }),
    );
    await userEvent.click(screen.getByLabelText('成员（按轮值顺序）'));
    const listbox = await screen.findByRole('listbox');
    await userEvent.click(
      within(listbox).getByRole('option', { name: /Erin Wu/ }),
    );
    await userEvent.click(screen.getByRole('button', { name: '创建' }));
    expect(onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({
        name: '主值班',
        group: 'group:default/ops',
        members: ['user:default/erin'],
        shift: { kind: 'weekly' },
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      '轮值未保存：不是有效的 IANA 时区（例如 Asia/Shanghai）',
    );
    expect(alert).not.toHaveTextContent('is not an IANA');
  });

  it('asks for a name, a group and members before sending anything', async () => {
    const onSubmit = jest.fn(async () => {});
    await renderInTestApp(
      <RotationDialog onClose={jest.fn()} onSubmit={onSubmit} />,
      {
        apis: [
          [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
        ] as const,
      },
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );
    expect(screen.getByText('A name is required')).toBeInTheDocument();
    expect(screen.getByText('Pick a group')).toBeInTheDocument();
    expect(screen.getByText('Pick at least one member')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
