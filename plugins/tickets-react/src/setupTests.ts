import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs all packages' tests at once on 2 cores, where the first render of a
// page inside the Backstage test app can take seconds: wait longer for it.
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);
