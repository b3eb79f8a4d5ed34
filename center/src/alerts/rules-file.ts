import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { extname } from 'node:path';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { isRulesError, parseRuleDefinitions, type RuleDefinition } from '@cityops/rules';
import { AlertServiceError } from './alert-errors.ts';

/**
 * Reads a rules file: YAML (.yaml/.yml) or JSON, either a list of rules or
 * `{ rules: [...] }`. Validated by @cityops/rules — never evaluated — and
 * every problem is reported with the rule's id and the field's path.
 * Throws CITYOPS_CENTER_RULES_FILE_INVALID.
 */
export function loadRulesFile(path: string): RuleDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AlertServiceError('CITYOPS_CENTER_RULES_FILE_INVALID', `cannot read rules file ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new AlertServiceError('CITYOPS_CENTER_RULES_FILE_INVALID', `rules file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const list = typeof data === 'object' && data !== null && !Array.isArray(data) && 'rules' in data ? (data as { rules: unknown }).rules : data;
  try {
    return parseRuleDefinitions(list);
  } catch (error) {
    if (!isRulesError(error)) throw error;
    const issues = error.issues.map((i) => ({ path: `/rules${i.path}`, message: i.message }));
    throw new AlertServiceError('CITYOPS_CENTER_RULES_FILE_INVALID', `rules file ${path}: ${error.message}`, issues);
  }
}

export interface RulesFileWatcher {
  /** Loads the file now and applies it; false (old rules kept, error logged) when it is invalid. */
  reload(): boolean;
  close(): void;
}

/**
 * Re-reads the file when its modification time changes (stat polling: works
 * on every filesystem and with editors that replace the file) and hands
 * valid rule sets to `apply`. An invalid edit is logged and the running
 * rules stay — a typo must not switch the control room's alerting off.
 */
export function watchRulesFile(options: { path: string; apply(rules: RuleDefinition[]): void; logger: Logger; intervalMs?: number }): RulesFileWatcher {
  const { path, apply, logger } = options;
  const reload = (): boolean => {
    try {
      const rules = loadRulesFile(path);
      apply(rules);
      logger.info({ path, rules: rules.length }, 'rules reloaded');
      return true;
    } catch (error) {
      logger.error({ err: error, path, issues: (error as AlertServiceError).issues }, 'rules file rejected; keeping the running rules');
      return false;
    }
  };
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size) reload();
  };
  watchFile(path, { interval: options.intervalMs ?? 1000, persistent: false }, listener);
  return {
    reload,
    close: () => unwatchFile(path, listener),
  };
}
