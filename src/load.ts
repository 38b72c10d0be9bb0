import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileIncluded, type BuildSettings } from './go/build-constraints.js';
import { readImports } from './go/imports.js';
import type { SyntaxNode } from './go/tree.js';
import { parseGo } from './parser/index.js';
import type { GoFile, ModuleFacts, Package } from './engine/types.js';
import { addSkip, type SkipCounts, type Warning } from './warnings.js';

/** Larger files are skipped by default (--max-file-size): no hand-written Go file is this big. */
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
  /** Files over this many bytes are skipped. */
  maxFileBytes: number;
}

export interface LoadedDirectory {
  packages: Package[];
  /** One line each: files that could not be linted, or only in part. */
  warnings: Warning[];
  /** Files asked for but not linted, by reason. */
  skipped: SkipCounts;
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
  const warnings: Warning[] = [];
  const skipped: SkipCounts = {};
  const byName = new Map<string, GoFile[]>();
  let lines = 0;
  let count = 0;
  const hashes: Record<string, string> = {};
  for (const abs of files) {
    const rel = toSlash(path.relative(root, abs)) || path.basename(abs);
    const source = readSource(abs, rel, options.maxFileBytes, warnings, skipped, hashes);
    if (source === null) continue;
    if (!options.generated && isGenerated(source)) {
      addSkip(skipped, 'generated');
      continue;
    }
    const build = fileIncluded(path.basename(abs), source, options.build);
    for (const p of build.problems) warnings.push({ file: rel, line: p.line, message: `bad build constraint: ${p.message} (line ignored)` });
    if (!build.included && !options.named.has(abs)) continue;
    parsedFiles++;
    const tree = parseGo(source);
    const root_ = tree.rootNode;
    if (root_.hasError) warnings.push({ file: rel, ...syntaxErrorAt(root_), message: 'syntax error: findings in this file may be incomplete' });
    const clause = root_.namedChildren.find((c) => c.type === 'package_clause');
    const name = clause?.namedChildren[0]?.text;
    if (!name) {
      warnings.push({ file: rel, message: 'no package clause: skipped' });
      addSkip(skipped, 'no-package');
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
  return { packages, warnings, skipped, files: count, lines, hashes };
}

/** The file's text, or null (with a warning) when it cannot or should not be linted. */
function readSource(
  abs: string,
  file: string,
  maxBytes: number,
  warnings: Warning[],
  skipped: SkipCounts,
  hashes: Record<string, string>,
): string | null {
  let bytes: Buffer;
  try {
    const stat = statSync(abs);
    if (!stat.isFile()) {
      warnings.push({ file, message: 'skipped: not a regular file' });
      addSkip(skipped, 'unreadable');
      return null;
    }
    if (stat.size > maxBytes) {
      warnings.push({ file, message: `skipped: ${stat.size} bytes is over the limit of ${describeSize(maxBytes)} for one file (--max-file-size)` });
      addSkip(skipped, 'too-large');
      return null;
    }
    bytes = readFileSync(abs);
    hashes[abs] = createHash('sha256').update(bytes).digest('hex');
  } catch (err) {
    warnings.push({ file, message: `cannot read: ${describeFsError(err)}` });
    addSkip(skipped, 'unreadable');
    return null;
  }
  if (bytes.includes(0)) {
    warnings.push({ file, message: 'skipped: contains NUL bytes, not Go source' });
    addSkip(skipped, 'nul-bytes');
    return null;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    warnings.push({ file, message: 'not valid UTF-8: linted with the bad bytes replaced' });
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
    case 'ENOTDIR':
    case 'EEXIST': // making a report's directory where a file is
      return 'not a directory';
    default:
      return e.message ?? String(err);
  }
}

/** Go's rule: the generated-code line comes before the package clause. */
export function isGenerated(source: string): boolean {
  const clause = /^package\s/m.exec(source);
  return GENERATED.test(clause ? source.slice(0, clause.index) : source);
}

function syntaxErrorAt(root: SyntaxNode): { line: number; column?: number } {
  const bad = root.descendantsOfType('ERROR')[0] ?? findMissing(root);
  if (!bad) return { line: 1 };
  return { line: bad.startPosition.row + 1, column: bad.startPosition.column + 1 };
}

/** `8 MiB`, `512 KiB`, `1000 bytes`: a byte count as a person would write it. */
export function describeSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** `8M`, `512k`, `2MiB`, `100000`: a size for --max-file-size, in bytes; null when malformed. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:(k|m|g)(?:i?b)?|b)?\s*$/i.exec(text);
  if (!m) return null;
  const scale = { k: 1 << 10, m: 1 << 20, g: 1 << 30 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const n = Math.round(Number(m[1]) * scale);
  return n >= 1 && Number.isSafeInteger(n) ? n : null;
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
