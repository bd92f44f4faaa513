import { InputError } from '@backstage/errors';

/** A host the template asked to register, before the shared settings. */
export interface HostLine {
  name: string;
  address: string;
  port?: number;
  tags?: string[];
  description?: string;
}

/** What the `hosts` input may contain. */
export type HostsInput =
  | string
  | (
      | string
      | {
          name?: string;
          address: string;
          port?: number;
          tags?: string[];
          description?: string;
        }
    )[];

const NAME = /^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?$/;

/** `192.0.2.5:2222` → address and port; IPv6 must be bracketed to carry one. */
function splitPort(value: string): { address: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    return {
      address: bracketed[1],
      port: bracketed[2] ? Number(bracketed[2]) : undefined,
    };
  }
  const parts = value.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1])) {
    return { address: parts[0], port: Number(parts[1]) };
  }
  return { address: value };
}

/** An entity name for a host given only by its address. */
function nameFromAddress(address: string): string {
  return address
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63);
}

function fromLine(line: string, lineNo: number): HostLine {
  const fields = line
    .split(/[\s,;]+/)
    .map(f => f.trim())
    .filter(Boolean);
  if (fields.length === 0 || fields.length > 2) {
    throw new InputError(
      `Line ${lineNo}: expected "<address>" or "<name> <address>", got "${line}"`,
    );
  }
  const [name, addressField] =
    fields.length === 2 ? fields : [undefined, fields[0]];
  const { address, port } = splitPort(addressField);
  return { name: name ?? nameFromAddress(address), address, port };
}

/**
 * Normalises the `hosts` input: multi-line text (one `<address>` or
 * `<name> <address>` per line, `#` comments and blank lines ignored), or an
 * array of such strings or of `{ name, address }` objects. Checks names and
 * rejects duplicates.
 */
export function parseHosts(input: HostsInput): HostLine[] {
  const items: HostLine[] = [];
  if (typeof input === 'string') {
    input.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim();
      if (line) items.push(fromLine(line, index + 1));
    });
  } else {
    input.forEach((item, index) => {
      if (typeof item === 'string') {
        if (item.trim()) items.push(fromLine(item.trim(), index + 1));
        return;
      }
      const split = splitPort(item.address.trim());
      items.push({
        name: item.name?.trim() || nameFromAddress(split.address),
        address: split.address,
        port: item.port ?? split.port,
        tags: item.tags,
        description: item.description,
      });
    });
  }

  if (items.length === 0) {
    throw new InputError('No hosts given');
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (!item.address) {
      throw new InputError(`Host "${item.name}" has no address`);
    }
    if (!NAME.test(item.name)) {
      throw new InputError(
        `"${item.name}" is not a valid host name: use letters, digits, ".", "-" and "_" (at most 63)`,
      );
    }
    const key = item.name.toLocaleLowerCase('en-US');
    if (seen.has(key)) {
      throw new InputError(`Host "${item.name}" is listed twice`);
    }
    seen.add(key);
  }
  return items;
}
