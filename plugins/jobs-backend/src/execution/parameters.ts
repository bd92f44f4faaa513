import { InputError } from '@backstage/errors';
import { JobParameter, TargetHost } from '../model';
import { RunCredentials } from './credentials';

/**
 * Checks parameter values against the job's parameter types and turns them
 * into the environment of the script (secret values taken out of the vault
 * for the hosts the script runs on).
 */
export async function resolveParameters(
  parameters: JobParameter[],
  values: Record<string, string>,
  credentials?: RunCredentials,
  hosts: TargetHost[] = [],
): Promise<{ env: Record<string, string>; secrets: string[] }> {
  const known = new Set(parameters.map(p => p.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new InputError(`Unknown parameter '${name}'`);
  }
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const p of parameters) {
    const value = values[p.name] ?? p.default;
    if (value === undefined || value === '') {
      if (p.required) {
        throw new InputError(`Parameter '${p.name}' is required`);
      }
      continue;
    }
    if (p.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) {
      throw new InputError(`Parameter '${p.name}' must be a number`);
    }
    if (p.type === 'choice' && !(p.choices ?? []).includes(value)) {
      throw new InputError(
        `Parameter '${p.name}' must be one of ${(p.choices ?? []).join(', ')}`,
      );
    }
    if (p.type === 'secret') {
      if (!credentials) continue; // validation only
      const secret = await credentials.parameter(value, hosts);
      env[p.name] = secret;
      if (secret.length >= 4) secrets.push(secret);
    } else {
      env[p.name] = value;
    }
  }
  return { env, secrets };
}
