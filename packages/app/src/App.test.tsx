import { render } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the sign-in page for a visitor', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'opsdeck' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(App.createRoot());

    // Nobody is signed in, so the app shows opsdeck's sign-in page.
    expect(
      await rendered.findByText('Sign in to opsdeck', {}, { timeout: 20000 }),
    ).toBeInTheDocument();
  });
});
