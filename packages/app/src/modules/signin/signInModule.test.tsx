import { Suspense } from 'react';
import { render, screen } from '@testing-library/react';
import {
  configApiRef,
  discoveryApiRef,
  errorApiRef,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { opsdeckSignInPage, signInModule } from './signInModule';

describe('signInModule', () => {
  const originalFetch = global.fetch;
  afterAll(() => {
    global.fetch = originalFetch;
  });

  it('is an app module whose sign-in page loads the opsdeck form', async () => {
    expect(signInModule.$$type).toBe('@backstage/FrontendModule');
    expect((signInModule as unknown as { pluginId: string }).pluginId).toBe(
      'app',
    );
    global.fetch = jest.fn(async () => ({
      ok: false,
      status: 401,
      statusText: 'Unauthorized',
      headers: { get: () => 'application/json' },
      text: async () =>
        JSON.stringify({
          error: { name: 'AuthenticationError', message: 'no session' },
          response: { statusCode: 401 },
        }),
    })) as unknown as typeof fetch;

    const SignInPage = createExtensionTester(opsdeckSignInPage).get(
      SignInPageBlueprint.dataRefs.component,
    );
    render(
      <TestApiProvider
        apis={[
          [discoveryApiRef, mockApis.discovery()],
          [configApiRef, mockApis.config()],
          [translationApiRef, mockApis.translation()],
          [errorApiRef, mockApis.error()],
        ]}
      >
        <Suspense fallback="loading">
          <SignInPage onSignInSuccess={jest.fn()} />
        </Suspense>
      </TestApiProvider>,
    );
    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });
});
