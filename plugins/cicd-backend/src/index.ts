/**
 * CI/CD backend plugin (/api/cicd).
 *
 * @packageDocumentation
 */
export {};
