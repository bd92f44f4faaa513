import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { mockServices } from '@backstage/backend-test-utils';
import { createDecommissionHostAction } from './actions/decommissionHost';
import { createDeployImageAction } from './actions/deployImage';
import { createRegisterHostsAction } from './actions/registerHosts';

const templatesDir = path.resolve(__dirname, '../../../templates');

function load(file: string): any {
  return yaml.load(fs.readFileSync(path.join(templatesDir, file), 'utf8'));
}

const deps = {
  discovery: mockServices.discovery(),
  auth: mockServices.auth(),
};
const actions = [
  createRegisterHostsAction(deps),
  createDecommissionHostAction(deps),
  createDeployImageAction(deps),
];

/** All properties of every parameter page of a template. */
function parameterProperties(template: any): Record<string, any> {
  return Object.assign(
    {},
    ...template.spec.parameters.map((page: any) => page.properties),
  );
}

describe('templates', () => {
  it('lists the CMDB templates in the location, and only files that exist', () => {
    const location = load('all.yaml');
    expect(location.kind).toBe('Location');
    expect(location.spec.targets).toEqual(
      expect.arrayContaining([
        './register-hosts/template.yaml',
        './decommission-host/template.yaml',
      ]),
    );
    for (const target of location.spec.targets) {
      expect(fs.existsSync(path.join(templatesDir, target))).toBe(true);
    }
  });

  it.each(['register-hosts', 'decommission-host'])(
    '%s uses only the opsdeck actions, with inputs they know',
    name => {
      const template = load(`${name}/template.yaml`);
      expect(template.apiVersion).toBe('scaffolder.backstage.io/v1beta3');
      expect(template.kind).toBe('Template');
      expect(template.metadata.name).toBe(name);
      const params = Object.keys(parameterProperties(template));
      const steps: any[] = template.spec.steps;
      // Besides the CMDB action, only the catalog lookup and the approval
      // steps of the tickets plugin (tested there), and those only for prod.
      const cmdbStep = steps.findIndex(step =>
        step.action.startsWith('opsdeck:cmdb:'),
      );
      expect(cmdbStep).toBeGreaterThanOrEqual(0);
      const others = steps.filter(
        step => !step.action.startsWith('opsdeck:cmdb:'),
      );
      for (const step of others) {
        expect([
          'catalog:fetch',
          'opsdeck:approval:request',
          'opsdeck:tickets:complete',
        ]).toContain(step.action);
      }
      const gated = others.filter(step => step.action !== 'catalog:fetch');
      expect(gated.map(step => step.action)).toEqual([
        'opsdeck:approval:request',
        'opsdeck:tickets:complete',
      ]);
      for (const step of gated) {
        expect(step.if).toMatch(/== 'prod'/);
      }
      expect(steps.indexOf(gated[0])).toBeLessThan(cmdbStep);
      expect(gated[0].input.approvers).toEqual(['group:default/ops']);
      for (const step of steps.filter(s =>
        s.action.startsWith('opsdeck:cmdb:'),
      )) {
        const action = actions.find(a => a.id === step.action);
        expect(action).toBeDefined();
        const known = Object.keys(
          (action!.schema!.input as any).properties ?? {},
        );
        for (const key of Object.keys(step.input)) {
          expect(known).toContain(key);
        }
        // every parameter a step refers to exists
        const referenced = Object.values(step.input).flatMap(value =>
          [...String(value).matchAll(/parameters\.(\w+)/g)].map(m => m[1]),
        );
        expect(referenced.length).toBeGreaterThan(0);
        for (const param of referenced) {
          expect(params).toContain(param);
        }
        const required: string[] =
          (action!.schema!.input as any).required ?? [];
        for (const key of required) {
          expect(Object.keys(step.input)).toContain(key);
        }
      }
    },
  );

  it('register-hosts asks for the expected parameters', () => {
    const params = parameterProperties(load('register-hosts/template.yaml'));
    expect(params.environment.enum).toEqual(['prod', 'staging', 'dev', 'test']);
    expect(params.owner['ui:field']).toBe('OwnerPicker');
    expect(params.owner['ui:options'].catalogFilter).toEqual({ kind: 'Group' });
    expect(params.system['ui:field']).toBe('EntityPicker');
    expect(params.port.default).toBe(22);
    expect(params.checkReachability.default).toBe(true);
  });

  it('decommission-host picks a host and requires confirmation', () => {
    const template = load('decommission-host/template.yaml');
    const params = parameterProperties(template);
    expect(params.host['ui:options'].catalogFilter).toEqual({
      kind: 'Resource',
      'spec.type': 'host',
    });
    expect(params.confirm.const).toBe(true);
    expect(template.spec.parameters[0].required).toEqual(
      expect.arrayContaining(['host', 'confirm']),
    );
  });
});

describe('deploy-image template', () => {
  const template = load('deploy-image/template.yaml');
  const params = parameterProperties(template);

  it('is listed in the location', () => {
    expect(load('all.yaml').spec.targets).toContain(
      './deploy-image/template.yaml',
    );
  });

  it('picks the component and the cluster from the catalog', () => {
    expect(params.component['ui:field']).toBe('EntityPicker');
    expect(params.component['ui:options'].catalogFilter).toEqual({
      kind: 'Component',
    });
    expect(params.cluster['ui:field']).toBe('EntityPicker');
    expect(params.cluster['ui:options'].catalogFilter).toEqual({
      kind: 'Resource',
      'spec.type': 'kubernetes-cluster',
    });
  });

  it('runs only the deploy action, with inputs it knows, each from a parameter', () => {
    const steps: any[] = template.spec.steps;
    expect(steps.map(s => s.action)).toEqual([
      'opsdeck:kubernetes:deploy-image',
    ]);
    const action = actions.find(a => a.id === steps[0].action)!;
    const schema = action.schema!.input as any;
    const known = Object.keys(schema.properties);
    for (const [key, value] of Object.entries(steps[0].input)) {
      expect(known).toContain(key);
      const [, param] = /^\$\{\{ parameters\.(\w+) \}\}$/.exec(String(value))!;
      expect(Object.keys(params)).toContain(param);
    }
    for (const key of schema.required ?? []) {
      expect(Object.keys(steps[0].input)).toContain(key);
    }
  });

  it('validates the image field with the reference grammar (no registry tag picker exists)', () => {
    const pattern = new RegExp(params.image.pattern);
    const digest = `sha256:${'3f'.repeat(32)}`;
    for (const good of [
      'registry.example.com/shop/payments-api:1.9.0',
      '127.0.0.1:5000/team/app:v2',
      `registry.example.com/shop/payments-api@${digest}`,
      `registry.example.com/shop/payments-api:1.9.0@${digest}`,
    ]) {
      expect([good, pattern.test(good)]).toEqual([good, true]);
    }
    for (const bad of [
      'registry.example.com/shop/payments-api',
      'payments-api:1.9.0',
      'registry.example.com/shop/payments-api:1.9.0 --privileged',
      'registry.example.com/Shop/api:1',
      'registry.example.com/shop/api@sha256:123',
      'https://registry.example.com/shop/api:1',
    ]) {
      expect([bad, pattern.test(bad)]).toEqual([bad, false]);
    }
    expect(params.watchSeconds).toMatchObject({ minimum: 0, maximum: 240 });
  });
});
