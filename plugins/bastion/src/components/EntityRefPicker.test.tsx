import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EntityRefPicker } from './EntityRefPicker';

const catalogApi = catalogApiMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'erin', namespace: 'default' },
      spec: { profile: { displayName: 'Erin Viewer' } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'ops', namespace: 'default' },
      spec: { type: 'team', children: [] },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'erin-box', namespace: 'default' },
      spec: { type: 'host', environment: 'staging', system: 'shop' },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'erin-bucket', namespace: 'default' },
      spec: { type: 's3-bucket' },
    },
  ],
});

describe('EntityRefPicker', () => {
  it('offers the catalog users and groups by name and gives the chosen ref', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <EntityRefPicker
          id="subject"
          label="Subject"
          kinds={['user', 'group']}
          value=""
          onChange={onChange}
        />
      </TestApiProvider>,
    );
    await userEvent.type(screen.getByLabelText('Subject'), 'erin');
    // a resource of the same name is not a subject
    expect(
      await screen.findByRole('option', {
        name: 'Erin Viewer (user:default/erin)',
      }),
    ).toBeVisible();
    expect(screen.queryByText(/erin-box/)).toBeNull();
    await userEvent.click(
      screen.getByRole('option', { name: 'Erin Viewer (user:default/erin)' }),
    );
    expect(onChange).toHaveBeenLastCalledWith('user:default/erin');
  });

  it('picks a host (a Resource of type host) and gives its name, as grant selectors take it', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApi]]}>
        <EntityRefPicker
          id="host"
          label="Host"
          kinds={['resource']}
          filter={{ 'spec.type': 'host' }}
          valueAs="name"
          value=""
          onChange={onChange}
        />
      </TestApiProvider>,
    );
    await userEvent.type(screen.getByLabelText('Host'), 'erin');
    // a user and a resource of another type are not hosts
    expect(
      await screen.findByRole('option', { name: 'erin-box (staging, shop)' }),
    ).toBeVisible();
    expect(screen.queryByText(/erin-bucket/)).toBeNull();
    expect(screen.queryByText(/Erin Viewer/)).toBeNull();
    await userEvent.click(
      screen.getByRole('option', { name: 'erin-box (staging, shop)' }),
    );
    expect(onChange).toHaveBeenLastCalledWith('erin-box');
  });
});
