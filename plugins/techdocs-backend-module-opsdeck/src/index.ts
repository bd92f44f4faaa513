/**
 * TechDocs that build offline with Debian's mkdocs (techdocs module), and a
 * search engine fallback for SQLite (search module).
 *
 * @packageDocumentation
 */
export { techdocsModuleOpsdeck as default } from './module';
export { searchModuleOpsdeckEngine } from './search/module';
export {
  OPSDECK_MARKDOWN_EXTENSIONS,
  withOpsdeckDefaults,
} from './generator/mkdocsDefaults';
export { OpsdeckMkdocsGenerator } from './generator/OpsdeckMkdocsGenerator';
export {
  OpsdeckDirectoryPreparer,
  copySite,
} from './prepare/OpsdeckDirectoryPreparer';
