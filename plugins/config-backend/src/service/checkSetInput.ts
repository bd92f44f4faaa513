import { InputError } from '@backstage/errors';
import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { posix } from 'node:path';
import { parseCommandTemplate } from '../render/render';
import { protectedPath } from '../release/protectedPaths';

const ENTITY_REF = /^[a-z][a-z0-9-]*:[a-z0-9._-]+\/[a-z0-9._-]+$/i;

/** Refuses a set definition opsdeck cannot run safely. */
export function checkSetInput(input: ConfigSetInput): void {
  if (!/^[a-z0-9][a-z0-9._-]{0,127}$/.test(input.name)) {
    throw new InputError(
      'A set name is 1-128 lower-case letters, digits, dots, dashes or underscores',
    );
  }
  if (!ENTITY_REF.test(input.owner)) {
    throw new InputError(`Owner must be an entity ref, got ${input.owner}`);
  }
  if (input.entityRef && !ENTITY_REF.test(input.entityRef)) {
    throw new InputError(`Not an entity ref: ${input.entityRef}`);
  }
  const path = input.targetPath;
  if (
    !path.startsWith('/') ||
    posix.normalize(path) !== path ||
    path.endsWith('/') ||
    /[\0\n]/.test(path)
  ) {
    throw new InputError(
      `Target path must be an absolute, normalized file path, got ${path}`,
    );
  }
  const protectedWhy = protectedPath(path);
  if (protectedWhy) throw new InputError(protectedWhy);
  if (input.restartCommand !== undefined && input.kind !== 'redis') {
    throw new InputError(
      'A restart command is for redis sets (changes the running server cannot take hot)',
    );
  }
  if (input.healthCheck?.type === 'script') {
    parseCommandTemplate(input.healthCheck.command);
  }
  if (input.stageRoot !== undefined) {
    const root = input.stageRoot;
    if (!root.startsWith('/') || posix.normalize(root) !== root) {
      throw new InputError('Stage root must be an absolute, normalized path');
    }
    const rel = posix.relative(root, path);
    if (rel.startsWith('..') || posix.isAbsolute(rel) || rel === '') {
      throw new InputError(
        `The target ${path} must be inside the stage root ${root}`,
      );
    }
    if (root === '/') {
      throw new InputError('The stage root cannot be /');
    }
  }
}
