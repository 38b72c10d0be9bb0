import { existsSync } from 'node:fs';
import path from 'node:path';

/** The first of `names` found in `dir` or the nearest directory above it, as a path; or null. */
export function findUp(dir: string, names: string[]): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of names) {
      const candidate = path.join(d, name);
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(d) === d) return null;
  }
}
