import { startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import scaffolderModuleOpsdeck from './index';

describe('scaffolderModuleOpsdeck', () => {
  it('adds the CMDB and Kubernetes actions to the scaffolder', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    // A stand-in scaffolder plugin that only provides the extension point.
    const fakeScaffolder = createBackendPlugin({
      pluginId: 'scaffolder',
      register(reg) {
        reg.registerExtensionPoint(scaffolderActionsExtensionPoint, {
          addActions: (...added) => actions.push(...added),
        });
        reg.registerInit({ deps: {}, async init() {} });
      },
    });
    const backend = await startTestBackend({
      features: [fakeScaffolder, scaffolderModuleOpsdeck],
    });
    try {
      expect(actions.map(a => a.id).sort()).toEqual([
        'opsdeck:cmdb:decommission-host',
        'opsdeck:cmdb:register-hosts',
        'opsdeck:kubernetes:deploy-image',
      ]);
      const register = actions.find(
        a => a.id === 'opsdeck:cmdb:register-hosts',
      )!;
      // zod schemas become JSON schema for the scaffolder
      expect(register.schema?.input).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['hosts', 'environment', 'owner']),
      });
      expect(
        (register.schema?.input as any).properties.checkReachability.default,
      ).toBe(true);
    } finally {
      await backend.stop();
    }
  });
});
