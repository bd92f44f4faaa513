/**
 * opsdeck's file library: resumable tus uploads, versions, and verified
 * distribution of files to catalog hosts over SSH (`/api/files`).
 *
 * @packageDocumentation
 */
export { filesPlugin as default } from './plugin';
