import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The installed version of a package, or null when it is not installed. Read from the
 * package.json above its entry point, since a package's exports may hide `name/package.json`
 * (web-tree-sitter's do). Resolving loads nothing, so a native module that would not load
 * still has a version.
 */
export function installedVersion(name: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(name));
  } catch {
    return null;
  }
  for (; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}
