import { setDisplayLanguage } from '@opsdeck/plugin-opsdeck-common';
import { localizedCatalog } from './index';

const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name: 'bug-fix',
    title: 'Report a bug',
    description: 'File a bug',
    annotations: {
      'opsdeck.io/title.zh-CN': '报告缺陷',
      'opsdeck.io/description.zh-CN': '提交缺陷',
    },
  },
  spec: {},
};

/** A stand-in with the shapes CatalogClient answers in. */
const client = {
  async queryEntities() {
    return { items: [template], totalItems: 1, pageInfo: {} };
  },
  async *streamEntities() {
    yield [template];
    yield [template];
  },
  label: 'not a method',
};

describe('localizedCatalog', () => {
  afterEach(() => setDisplayLanguage(undefined));

  it('localizes promised answers', async () => {
    setDisplayLanguage('zh-CN');
    const { items } = await localizedCatalog(client).queryEntities();
    expect(items[0].metadata.title).toBe('报告缺陷');
    expect(items[0].metadata.description).toBe('提交缺陷');
  });

  it('localizes every page of a streamed answer (the template list reads one)', async () => {
    setDisplayLanguage('zh-CN');
    const titles: string[] = [];
    for await (const page of localizedCatalog(client).streamEntities()) {
      for (const entity of page) titles.push(entity.metadata.title);
    }
    expect(titles).toEqual(['报告缺陷', '报告缺陷']);
  });

  it('leaves English and non-methods alone', async () => {
    setDisplayLanguage('en');
    const titles: string[] = [];
    for await (const page of localizedCatalog(client).streamEntities()) {
      for (const entity of page) titles.push(entity.metadata.title);
    }
    expect(titles).toEqual(['Report a bug', 'Report a bug']);
    expect(localizedCatalog(client).label).toBe('not a method');
  });
});
