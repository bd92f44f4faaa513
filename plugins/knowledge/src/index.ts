/**
 * opsdeck's knowledge base in the portal (new frontend system): runbooks on
 * entity pages, and TechDocs and search in Simplified Chinese.
 *
 * @packageDocumentation
 */
export {
  knowledgePlugin as default,
  knowledgeTranslationsModule,
} from './plugin';
export { knowledgeTranslationRef } from './translation/translation';
