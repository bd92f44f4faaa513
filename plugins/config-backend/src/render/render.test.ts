import type { HostTarget } from '@opsdeck/plugin-cmdb-common';
import {
  checkSyntax,
  compileTemplate,
  hostVariables,
  renderContext,
  verbatimTemplate,
} from './render';
import { unifiedDiff } from './diff';

const host: HostTarget = {
  name: 'web-01',
  entityRef: 'resource:default/web-01',
  address: '10.0.0.1',
  port: 22,
  environment: 'prod',
  tags: ['web'],
};

describe('rendering', () => {
  it('merges variables: defaults < environment < host (by ref or name)', () => {
    const vars = {
      defaults: { port: 80, workers: 2, name: 'x' },
      environments: { prod: { workers: 8 }, dev: { workers: 1 } },
      hosts: { 'resource:default/web-01': { port: 8080 } },
    };
    expect(hostVariables(vars, host)).toEqual({
      port: 8080,
      workers: 8,
      name: 'x',
    });
    expect(hostVariables({ hosts: { 'web-01': { a: 1 } } }, host)).toEqual({
      a: 1,
    });
  });

  it('has no helper that writes variables to the backend log', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map(m =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const render = compileTemplate('a{{log vars.password}}b');
      expect(() =>
        render(renderContext({ defaults: { password: 's3cret' } }, host)),
      ).toThrow(/log/);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      spies.forEach(spy => spy.mockRestore());
    }
  });

  it('renders catalog fields and variables, without HTML escaping', () => {
    const out = compileTemplate(
      'server_name {{host.name}}; # {{host.environment}} <{{vars.q}}>',
    )(renderContext({ defaults: { q: 'a&b' } }, host));
    expect(out).toBe('server_name web-01; # prod <a&b>');
  });

  it('refuses an undefined variable and a template that does not parse', () => {
    const render = compileTemplate('listen {{vars.missing}};');
    expect(() => render(renderContext({}, host))).toThrow(/does not render/);
    expect(() => compileTemplate('{{#each}}')).toThrow(/does not parse/);
    expect(() => compileTemplate('{{#each}}')).toThrow(
      expect.objectContaining({ code: 'config-template-invalid' }),
    );
  });

  it('keeps an adopted live file verbatim, braces and all', () => {
    const live = 'location / { return 200 "{{x}}"; }\nmap $a $b {}\n';
    const template = verbatimTemplate(live);
    expect(compileTemplate(template)(renderContext({}, host))).toBe(live);
    expect(verbatimTemplate('plain\n')).toBe('plain\n');
    expect(() => verbatimTemplate('{{ {{{{/raw}}}}')).toThrow(/verbatim/);
  });

  it('checks JSON and YAML syntax', () => {
    expect(() => checkSyntax('json', '{"a": 1}')).not.toThrow();
    expect(() => checkSyntax('json', '{"a": }')).toThrow(/Not valid JSON/);
    expect(() => checkSyntax('yaml', 'a: 1\n---\nb: [2]\n')).not.toThrow();
    expect(() => checkSyntax('yaml', 'a: [1\n')).toThrow(/Not valid YAML/);
    // the portal says the code in the reader's language
    expect(() => checkSyntax('yaml', 'a: [1\n')).toThrow(
      expect.objectContaining({ code: 'config-syntax-invalid', kind: 'yaml' }),
    );
    expect(() => checkSyntax('text', '{{ anything')).not.toThrow();
  });

  it('diffs as unified text, empty when equal', () => {
    expect(unifiedDiff('a\n', 'a\n', 'x', 'y')).toBe('');
    expect(unifiedDiff('a\nb\n', 'a\nc\n', 'x', 'y')).toContain('-b\n+c');
  });
});
