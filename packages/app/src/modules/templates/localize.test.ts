import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  localizeCatalogAnswer,
  localizeCatalogResult,
  localizeParameterSchema,
  localizeTemplateEntity,
} from './localize';

const TEMPLATES = path.resolve(__dirname, '../../../../../templates');

/** Every opsdeck template, parsed from templates/. */
function templates(): any[] {
  return fs
    .readdirSync(TEMPLATES, { withFileTypes: true })
    .filter(d => d.isDirectory())
    .map(d =>
      parseAllDocuments(
        fs.readFileSync(path.join(TEMPLATES, d.name, 'template.yaml'), 'utf8'),
      )[0].toJS(),
    );
}

/** The wizard's schema as the scaffolder backend answers it. */
function parameterSchema(template: any) {
  return {
    title: template.metadata.title,
    description: template.metadata.description,
    steps: template.spec.parameters.map((step: any) => ({
      title: step.title,
      description: step.description,
      schema: step,
    })),
  };
}

const CJK = /[\u4e00-\u9fff]/;

describe('templates in zh-CN', () => {
  it('every template has a zh-CN title, description, step titles and field titles', () => {
    const all = templates();
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const template of all) {
      const named = localizeTemplateEntity(template, 'zh-CN');
      expect({
        name: template.metadata.name,
        title: named.metadata.title,
      }).toEqual({
        name: template.metadata.name,
        title: expect.stringMatching(CJK),
      });
      expect(named.metadata.description).toMatch(CJK);
      const schema = localizeParameterSchema(
        parameterSchema(template),
        'zh-CN',
        template,
      );
      expect(schema.title).toBe(named.metadata.title);
      for (const step of schema.steps) {
        expect(`${template.metadata.name}: ${step.title}`).toMatch(CJK);
        for (const [name, field] of Object.entries<any>(
          step.schema.properties ?? {},
        )) {
          expect(`${template.metadata.name}.${name}: ${field.title}`).toMatch(
            CJK,
          );
          // a field with an English description has a Chinese one
          expect(
            `${template.metadata.name}.${name}: ${field.description}`,
          ).toMatch(field.description === undefined ? /undefined$/ : CJK);
        }
      }
    }
  });

  it('leaves English and other kinds as they are', () => {
    const [template] = templates();
    expect(localizeTemplateEntity(template, 'en')).toBe(template);
    expect(localizeTemplateEntity(template, undefined)).toBe(template);
    const component = {
      kind: 'Component',
      metadata: { name: 'x', title: 'X' },
    };
    expect(localizeCatalogResult({ items: [component] }, 'zh-CN')).toEqual({
      items: [component],
    });
    const schema = parameterSchema(template);
    expect(localizeParameterSchema(schema, 'en').steps[0].title).toBe(
      schema.steps[0].title,
    );
  });

  it('localizes templates inside catalog answers', () => {
    const [template] = templates();
    const answer = localizeCatalogResult(
      { items: [template], totalItems: 1 },
      'zh-CN',
    );
    expect(answer.items[0].metadata.title).toMatch(CJK);
    expect(answer.totalItems).toBe(1);
    expect(
      localizeCatalogResult([template], 'zh-CN')[0].metadata.title,
    ).toMatch(CJK);
  });

  it('localizes templates streamed page by page (the template list reads streamEntities)', async () => {
    const [template] = templates();
    async function* pages() {
      yield [template];
      yield [{ kind: 'Component', metadata: { name: 'x', title: 'X' } }];
    }
    const seen: any[] = [];
    const answer = localizeCatalogAnswer(
      pages(),
      () => 'zh-CN',
    ) as AsyncIterable<any[]>;
    for await (const page of answer) seen.push(...page);
    expect(seen[0].metadata.title).toBe(
      template.metadata.annotations['opsdeck.io/title.zh-CN'],
    );
    expect(seen[1].metadata.title).toBe('X');
    // a promised answer too
    const one: any = await localizeCatalogAnswer(
      Promise.resolve({ items: [template] }),
      () => 'zh-CN',
    );
    expect(one.items[0].metadata.title).toMatch(CJK);
  });
});
