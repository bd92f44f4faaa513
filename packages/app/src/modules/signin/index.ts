export { signInModule } from './signInModule';
export { OpsdeckSignInPage } from './OpsdeckSignInPage';
export { opsdeckSignInTranslationRef } from './translation';
