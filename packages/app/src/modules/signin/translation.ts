import { createTranslationRef } from '@backstage/frontend-plugin-api';

/**
 * Texts of the opsdeck sign-in page. English is built in; zh-CN is loaded on
 * demand when the app language is zh-CN (the app must list it in
 * `api:app/app-language` availableLanguages).
 */
export const opsdeckSignInTranslationRef = createTranslationRef({
  id: 'opsdeck-sign-in',
  messages: {
    title: 'Sign in to opsdeck',
    subtitle: 'Operations platform',
    usernameLabel: 'Username',
    passwordLabel: 'Password',
    signInButton: 'Sign in',
    checkingSession: 'Checking for an existing session…',
    errors: {
      missingFields: 'Enter your username and password.',
      invalidCredentials:
        'Invalid username or password, or too many failed sign-ins: try again later.',
      throttled:
        'Too many failed sign-ins from your address. Try again in a few minutes.',
      sessionEnded: 'Your session has ended. Sign in again.',
      signInFailed: 'Could not complete the sign-in: {{message}}',
      unexpected: 'Sign-in failed: {{message}}',
    },
    demo: {
      title: 'Demo accounts',
      password: 'Password for every demo account: {{password}}',
      roles: {
        admin: 'admin',
        ops: 'ops',
        dba: 'dba',
        dev: 'dev',
        devQa: 'dev (QA, tests builds)',
        viewerSecurity: 'viewer (security)',
        noRole: 'no role (catalog only)',
      },
    },
  },
  translations: {
    'zh-CN': () => import('./translations/zh-CN'),
  },
});
