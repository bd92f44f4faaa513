import { InputError } from '@backstage/errors';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StoredRule } from '../database/RuleStore';
import { renderRule } from './templates';

/** Where the rule file goes and which Prometheus reloads it. */
export interface RulePublishConfig {
  /** Rule file Prometheus reads (its `rule_files`); unset: rules are validated, not written. */
  rulesFile?: string;
  /** Prometheus base URL, started with --web.enable-lifecycle, for POST /-/reload. */
  prometheusUrl?: string;
  /** promtool binary. Default `promtool`. */
  promtool?: string;
}

/** The Prometheus rule file of the enabled rules (JSON, which is YAML). */
export function renderRuleFile(rules: StoredRule[]): string {
  return `${JSON.stringify(
    {
      groups: [
        {
          name: 'opsdeck',
          rules: rules
            .filter(r => r.enabled)
            .map(r => renderRule(r.id, r.template, r.scope, r.params)),
        },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Runs `promtool check rules` on a file; InputError with its output when it refuses. */
export function promtoolCheck(binary: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ['check', 'rules', file],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve();
          return;
        }
        const detail = `${stdout}\n${stderr}`
          .split(file)
          .join('rules')
          .trim()
          .slice(0, 2000);
        reject(
          coded(
            new InputError(`promtool check rules refused the rules: ${detail}`),
            'monitoring-rules-refused',
            { detail },
          ),
        );
      },
    );
  });
}

/**
 * Validates the rules with `promtool check rules`, then (when configured)
 * replaces the rule file atomically and asks Prometheus to reload it. Any
 * failure throws, so the caller's transaction keeps nothing.
 */
export class RulePublisher {
  constructor(private readonly config: RulePublishConfig) {}

  async publish(rules: StoredRule[]): Promise<void> {
    const content = renderRuleFile(rules);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'opsdeck-rules-'));
    try {
      const candidate = path.join(dir, 'opsdeck.rules.yml');
      await fs.writeFile(candidate, content);
      await promtoolCheck(this.config.promtool ?? 'promtool', candidate);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    if (!this.config.rulesFile) return;
    const file = this.config.rulesFile;
    const previous = await fs.readFile(file, 'utf8').catch(() => undefined);
    const replace = async (text: string) => {
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, file);
    };
    await replace(content);
    try {
      await this.reload();
    } catch (e) {
      // the transaction keeps nothing: neither does the file
      if (previous !== undefined) await replace(previous);
      else await fs.rm(file, { force: true });
      throw e;
    }
  }

  private async reload() {
    if (this.config.prometheusUrl) {
      const res = await fetch(`${this.config.prometheusUrl}/-/reload`, {
        method: 'POST',
        signal: AbortSignal.timeout(30_000),
      }).catch(e => {
        throw new Error(`Prometheus reload failed: ${(e as Error).name}`);
      });
      if (!res.ok) {
        throw new Error(
          `Prometheus reload failed: HTTP ${res.status} ${(
            await res.text()
          ).slice(0, 500)}`,
        );
      }
    }
  }
}
