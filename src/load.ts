import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileIncluded, type BuildSettings } from './go/build-constraints.js';
import { readImports } from './go/imports.js';
import type { SyntaxNode } from './go/tree.js';
import { parseGo } from './parser/index.js';
import type { GoFile, ModuleFacts, Package } from './engine/types.js';

/** Larger files are skipped: no hand-written Go file is this big. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.$/m;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

let parsedFiles = 0;

/** How many files this thread has parsed: lets tests prove that a cached run parses nothing. */
export function parsedFileCount(): number {
  return parsedFiles;
}

export interface LoadOptions {
  /** Lint files with the `// Code generated ... DO NOT EDIT.` header too. */
  generated: boolean;
  /** What every build fixes: files that no build includes are left out (see go/build-constraints.ts). */
  build: BuildSettings;
  /** Files named on the command line: linted whatever their build constraints, as `go vet file.go` does. */
  named: ReadonlySet<string>;
}

export interface LoadedDirectory {
  packages: Package[];
  /** One line each: files that could not be linted, or only in part. */
  warnings: string[];
  files: number;
  lines: number;
  /** The SHA-256 of each file read, by path. */
  hashes: Record<string, string>;
}

/**
 * Reads and parses the given files of one directory that a build includes and groups
 * them into packages by their package clause (`x` and the external test package `x_test` apart).
 */
export function loadDirectory(
  dir: string,
  files: string[],
  root: string,
  module: ModuleFacts,
  options: LoadOptions,
): LoadedDirectory {
  const warnings: string[] = [];
  const byName = new Map<string, GoFile[]>();
  let lines = 0;
  let count = 0;
  const hashes: Record<string, string> = {};
  for (const abs of files) {
    const rel = toSlash(path.relative(root, abs)) || path.basename(abs);
    const source = readSource(abs, rel, warnings, hashes);
    if (source === null) continue;
    if (!options.generated && isGenerated(source)) continue;
    const build = fileIncluded(path.basename(abs), source, options.build);
    for (const p of build.problems) warnings.push(`${rel}:${p.line}: bad build constraint: ${p.message} (line ignored)`);
    if (!build.included && !options.named.has(abs)) continue;
    parsedFiles++;
    const tree = parseGo(source);
    const root_ = tree.rootNode;
    if (root_.hasError) warnings.push(`${rel}:${syntaxErrorAt(root_)}: syntax error: findings in this file may be incomplete`);
    const clause = root_.namedChildren.find((c) => c.type === 'package_clause');
    const name = clause?.namedChildren[0]?.text;
    if (!name) {
      warnings.push(`${rel}: no package clause: skipped`);
      continue;
    }
    count++;
    lines += countLines(source);
    const file: GoFile = { path: rel, source, tree, imports: readImports(root_), isTest: abs.endsWith('_test.go') };
    const group = byName.get(name);
    if (group) group.push(file);
    else byName.set(name, [file]);
  }
  const relDir = toSlash(path.relative(root, dir)) || '.';
  const packages = [...byName].map(([name, goFiles]) => ({ dir: relDir, name, files: goFiles, module }));
  return { packages, warnings, files: count, lines, hashes };
}

/** The file's text, or null (with a warning) when it cannot or should not be linted. */
function readSource(abs: string, rel: string, warnings: string[], hashes: Record<string, string>): string | null {
  let bytes: Buffer;
  try {
    const stat = statSync(abs);
    if (!stat.isFile()) {
      warnings.push(`${rel}: skipped: not a regular file`);
      return null;
    }
    if (stat.size > MAX_FILE_BYTES) {
      warnings.push(`${rel}: skipped: ${stat.size} bytes is over the limit of ${MAX_FILE_BYTES} bytes (8 MiB) for one file`);
      return null;
    }
    bytes = readFileSync(abs);
    hashes[abs] = createHash('sha256').update(bytes).digest('hex');
  } catch (err) {
    warnings.push(`${rel}: cannot read: ${describeFsError(err)}`);
    return null;
  }
  if (bytes.includes(0)) {
    warnings.push(`${rel}: skipped: contains NUL bytes, not Go source`);
    return null;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    warnings.push(`${rel}: not valid UTF-8: linted with the bad bytes replaced`);
    return lossyUtf8.decode(bytes);
  }
}

export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ELOOP':
      return 'symlink loop';
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.message ?? String(err);
  }
}

/** Go's rule: the generated-code line comes before the package clause. */
export function isGenerated(source: string): boolean {
  const clause = /^package\s/m.exec(source);
  return GENERATED.test(clause ? source.slice(0, clause.index) : source);
}

function syntaxErrorAt(root: SyntaxNode): string {
  const bad = root.descendantsOfType('ERROR')[0] ?? findMissing(root);
  if (!bad) return '1';
  return `${bad.startPosition.row + 1}:${bad.startPosition.column + 1}`;
}

function findMissing(node: SyntaxNode): SyntaxNode | null {
  if (node.isMissing) return node;
  for (const child of node.children) {
    if (!child.hasError && !child.isMissing) continue;
    const found = findMissing(child);
    if (found) return found;
  }
  return null;
}

function countLines(source: string): number {
  let n = 0;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) n++;
  return n;
}

export function toSlash(p: string): string {
  return p.split(path.sep).join('/');
}
