import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { describedRules, unknownRuleId } from './engine/registry.js';
import type { Severity } from './engine/types.js';
import { UsageError } from './errors.js';
import { describeFsError, parseSize } from './load.js';
import { findUp } from './find-up.js';

export const CONFIG_NAMES = ['.goleak-lint.yml', '.goleak-lint.yaml'];

export type FailLevel = Severity | 'none';

/** A `.goleak-lint.yml`, checked; paths in it are relative to the file's directory. */
export interface Config {
  file: string;
  enable?: string[];
  disable?: string[];
  severity?: Record<string, Severity>;
  exclude?: string[];
  tests?: boolean;
  generated?: boolean;
  tags?: string[];
  go?: string;
  failLevel?: FailLevel;
  reportUnusedIgnores?: boolean;
  baseline?: string;
  /** Go files over this many bytes are skipped. */
  maxFileSize?: number;
}

const SEVERITIES = ['error', 'warning', 'note'];

/** The config's schema; rule ids come from the registry, so a misspelt id is caught. */
function configSchema(): object {
  const ruleId = { enum: [...describedRules.keys()] };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      enable: { type: 'array', items: { enum: [...describedRules.keys(), 'all'] } },
      disable: { type: 'array', items: { enum: [...describedRules.keys(), 'all'] } },
      severity: { type: 'object', propertyNames: ruleId, additionalProperties: { enum: SEVERITIES } },
      exclude: { type: 'array', items: { type: 'string', minLength: 1 } },
      tests: { type: 'boolean' },
      generated: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string', pattern: '^[\\p{L}\\p{Nd}_.]+$' } },
      go: { type: 'string', pattern: '^(go)?\\d+\\.\\d+(\\.\\d+)?$' },
      'fail-level': { enum: [...SEVERITIES, 'none'] },
      'report-unused-ignores': { type: 'boolean' },
      baseline: { type: 'string', minLength: 1 },
      // 8M, 512k, or a number of bytes.
      'max-file-size': { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG]([iI]?[bB])?|[bB])?\\s*$' }] },
    },
  };
}

/** The nearest config file at or above `cwd`, or null. */
export function findConfig(cwd: string): string | null {
  return findUp(cwd, CONFIG_NAMES);
}

/**
 * Reads and checks a config file; every mistake is a UsageError naming the file and line.
 * The YAML parser and the schema validator are loaded only here: most runs have no config
 * file, and a warm run's whole budget is half a second.
 */
export async function loadConfig(file: string, cwd: string): Promise<Config> {
  const [{ Ajv }, yaml] = await Promise.all([import('ajv'), import('yaml')]);
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${shown}: cannot read config: ${describeFsError(err)}`);
  }
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new UsageError(`${shown}:${lines.linePos(syntax.pos[0]).line}: ${syntax.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS() ?? {};
  const validate = new Ajv({ allErrors: false, strict: true, verbose: true }).compile(configSchema());
  if (!validate(data)) {
    const error = validate.errors![0];
    const line = lineOf(doc, lines, error, yaml);
    throw new UsageError(`${shown}${line ? `:${line}` : ''}: ${explain(error)}`);
  }
  const raw = data as Record<string, unknown>;
  return {
    file,
    enable: raw.enable as string[] | undefined,
    disable: raw.disable as string[] | undefined,
    severity: raw.severity as Record<string, Severity> | undefined,
    exclude: raw.exclude as string[] | undefined,
    tests: raw.tests as boolean | undefined,
    generated: raw.generated as boolean | undefined,
    tags: raw.tags as string[] | undefined,
    go: raw.go as string | undefined,
    failLevel: raw['fail-level'] as FailLevel | undefined,
    reportUnusedIgnores: raw['report-unused-ignores'] as boolean | undefined,
    baseline: raw.baseline === undefined ? undefined : path.resolve(path.dirname(file), raw.baseline as string),
    maxFileSize: raw['max-file-size'] === undefined ? undefined : (parseSize(String(raw['max-file-size'])) ?? undefined),
  };
}

/** The key path of an error, as YAML node keys: `/severity/x` → ['severity', 'x']. */
function keyPath(error: ErrorObject): (string | number)[] {
  const keys = error.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  const key = (error.params as { additionalProperty?: string }).additionalProperty ?? error.propertyName;
  if (key !== undefined) keys.push(key);
  return keys;
}

type Yaml = typeof import('yaml');

function lineOf(doc: Document, lines: LineCounter, error: ErrorObject, yaml: Yaml): number | null {
  const keys = keyPath(error);
  const isKeyError = error.keyword === 'additionalProperties' || error.propertyName !== undefined;
  // A bad key is reported at the key; a bad value at the value.
  const node = isKeyError ? keyNode(doc, keys, yaml) : doc.getIn(keys, true);
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  return range ? lines.linePos(range[0]).line : null;
}

function keyNode(doc: Document, keys: (string | number)[], { isMap, isScalar }: Yaml): unknown {
  const parent = keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents;
  if (!isMap(parent)) return undefined;
  return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === keys[keys.length - 1])?.key;
}

function explain(error: ErrorObject): string {
  const keys = keyPath(error);
  const where = keys.filter((k) => typeof k === 'string').join('.') || 'the config';
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string; type?: string };
  if (keys[0] === 'max-file-size') return 'max-file-size: must be a size such as 8M or 512k, or a number of bytes';
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${params.additionalProperty}" (known: ${Object.keys(
        (configSchema() as { properties: object }).properties,
      ).join(', ')})`;
    case 'enum':
      if (error.propertyName !== undefined) return `${where}: ${unknownRuleId(String(keys[keys.length - 1]))}`;
      if (keys[0] === 'enable' || keys[0] === 'disable') return `${keys[0]}: ${unknownRuleId(String(error.data))}`;
      return `${where}: must be one of ${params.allowedValues!.join(', ')}`;
    case 'pattern':
      if (keys[0] === 'tags') return `tags: "${String(error.data)}" is not a build tag (letters, digits, _ and . only)`;
      return `${where}: must be a Go version such as "1.21"`;
    case 'type':
      if (where === 'go') return `go: must be a quoted Go version such as "1.21" (YAML reads 1.20 as the number 1.2)`;
      return `${where}: must be ${params.type === 'array' ? 'a list' : `a ${params.type}`}`;
    default:
      return `${where}: ${error.message}`;
  }
}
