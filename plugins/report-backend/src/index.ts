/**
 * The weekly tech report backend plugin (/api/report).
 *
 * @packageDocumentation
 */
export { reportPlugin as default } from './plugin';
