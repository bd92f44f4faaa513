import { backstageZhCN } from './index';

const CJK = /[\u4e00-\u9fff]/;

/** Messages that are a proper name or a link scheme in Chinese too. */
const LATIN_ON_PURPOSE = new Set([
  'defaultApiExplorerPage.title',
  'defaultApiExplorerPage.pageTitleOverride',
  'hasApisCard.title',
  'entityPeekAheadPopover.emailCardAction.subTitle',
  // Kubernetes: the product name, ID, YAML and a title made of two names
  'entityContent.title',
  'podsTable.columns.id',
  'kubernetesDrawer.yaml',
  'fixDialog.title',
]);

describe("zh-CN for Backstage's screens", () => {
  it.each(backstageZhCN.map(([name, ref, load]) => [name, ref, load]))(
    '%s: every message is Chinese and names a key of the ref',
    async (_name, ref, load) => {
      const english: Record<string, string> = (ref as any).getDefaultMessages();
      const { default: resource } = await (load as () => Promise<any>)();
      const messages: Record<string, string | null> = resource.messages;
      expect(Object.keys(messages).length).toBeGreaterThan(0);
      for (const [key, text] of Object.entries(messages)) {
        if (LATIN_ON_PURPOSE.has(key)) continue;
        expect({ key, known: key in english }).toEqual({ key, known: true });
        expect({ key, text }).toEqual({
          key,
          text: expect.stringMatching(CJK),
        });
      }
    },
  );
});
