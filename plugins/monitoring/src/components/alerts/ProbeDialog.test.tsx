import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ProbeInput } from '@opsdeck/plugin-monitoring-common';
import { ProbeDialog } from './ProbeDialog';
import { ENTITIES, responseError } from './__testUtils__/fixtures';

async function render(
  onSubmit: (input: ProbeInput) => Promise<void>,
  canScript = false,
) {
  const onClose = jest.fn();
  await renderInTestApp(
    <ProbeDialog canScript={canScript} onClose={onClose} onSubmit={onSubmit} />,
    {
      apis: [[catalogApiRef, catalogApiMock({ entities: ENTITIES })]] as const,
    },
  );
  return { onClose };
}

describe('ProbeDialog', () => {
  it('offers the script kind only to those who may write scripts', async () => {
    await render(jest.fn(async () => {}));
    const kinds = () =>
      Array.from(
        (screen.getByLabelText('Kind') as HTMLSelectElement).options,
      ).map(o => o.value);
    expect(kinds()).toEqual(['tcp', 'http', 'process']);
  });

  it('creates a script probe on a host: a name, the language and the script', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit, true);
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'script');
    expect(screen.getByText(/Exit 0 is up/)).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Entity'));
    await screen.findByRole('option', { name: /web-01 \(host/ });
    expect(screen.queryByRole('option', { name: /Main DB/ })).toBeNull();
    await userEvent.click(
      screen.getByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.type(screen.getByLabelText('Target'), 'disk-root');
    await userEvent.selectOptions(screen.getByLabelText('Language'), 'bash');
    // no script yet: asked for, nothing sent
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(screen.getByText('Write the script.')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('Script'), 'df -P / | wc -l');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/web-01',
      kind: 'script',
      target: 'disk-root',
      script: 'df -P / | wc -l',
      language: 'bash',
      interval: '1m',
    });
  });

  it('creates a TCP probe on an entity picked from the catalog', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    await userEvent.click(screen.getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /Main DB/ }),
    );
    // TCP (the default) asks for no status or body
    expect(screen.queryByLabelText('Expected status (optional)')).toBeNull();
    await userEvent.type(screen.getByLabelText('Target'), ' db-01:5432 ');
    await userEvent.selectOptions(screen.getByLabelText('Interval'), '30s');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/db-01',
      kind: 'tcp',
      target: 'db-01:5432',
      interval: '30s',
    });
  });

  it('creates a process probe on a host only, naming the process', async () => {
    const onSubmit = jest.fn(async () => {});
    await render(onSubmit);
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'process');
    expect(
      screen.getByText(/Process name as pgrep -x matches it/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText('Expected status (optional)')).toBeNull();
    await userEvent.click(screen.getByLabelText('Entity'));
    // only hosts: a process runs on a host
    await screen.findByRole('option', { name: /web-01 \(host/ });
    expect(screen.queryByRole('option', { name: /Main DB/ })).toBeNull();
    await userEvent.click(
      screen.getByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.type(screen.getByLabelText('Target'), 'nginx');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/web-01',
      kind: 'process',
      target: 'nginx',
      interval: '1m',
    });
  });

  it('asks for an entity, a target and a valid status, and shows a refusal', async () => {
    const onSubmit = jest.fn(async () => {
      throw responseError(400, 'Probes may not reach 169.254.169.254');
    });
    const { onClose } = await render(onSubmit);
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(screen.getByText('Pick an entity.')).toBeInTheDocument();
    expect(screen.getByText('Give a target.')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Entity'));
    await userEvent.click(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'http');
    await userEvent.type(
      screen.getByLabelText('Target'),
      'http://169.254.169.254/latest/meta-data/',
    );
    await userEvent.type(
      screen.getByLabelText('Expected status (optional)'),
      '999',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      screen.getByText('A status between 100 and 599.'),
    ).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
    await userEvent.clear(screen.getByLabelText('Expected status (optional)'));
    await userEvent.type(
      screen.getByLabelText('Body must match (optional)'),
      'ok',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The probe was refused: Probes may not reach 169.254.169.254',
    );
    expect(onSubmit).toHaveBeenCalledWith({
      entityRef: 'resource:default/web-01',
      kind: 'http',
      target: 'http://169.254.169.254/latest/meta-data/',
      bodyRegex: 'ok',
      interval: '1m',
    });
    expect(onClose).not.toHaveBeenCalled();
  });

  it('says a coded refusal in zh-CN, not the server’s English', async () => {
    const onSubmit = jest.fn(async () => {
      throw Object.assign(new Error('Request failed with 400'), {
        statusCode: 400,
        body: {
          error: {
            name: 'InputError',
            message:
              'Probes may not reach 169.254.169.254 (loopback, link-local, metadata or multicast)',
            code: 'monitoring-target-refused',
            addresses: '169.254.169.254',
          },
          response: { statusCode: 400 },
        },
      });
    });
    await renderInTestApp(
      <ProbeDialog onClose={jest.fn()} onSubmit={onSubmit} />,
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
    await userEvent.click(await screen.findByLabelText('实体'));
    await userEvent.click(
      await screen.findByRole('option', { name: /web-01 \(host/ }),
    );
    await userEvent.selectOptions(screen.getByLabelText('类型'), 'http');
    await userEvent.type(
      screen.getByLabelText('目标'),
      'http://169.254.169.254/latest/meta-data/',
    );
    await userEvent.click(screen.getByRole('button', { name: '创建' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      '探测被拒绝：探测不能访问 169.254.169.254（回环、链路本地、元数据或组播地址）',
    );
    expect(alert).not.toHaveTextContent('may not reach');
  });
});
