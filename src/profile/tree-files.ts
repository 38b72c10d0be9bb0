import path from 'node:path';

/** A module of the linted tree: its root directory and the module path of its go.mod. */
export interface TreeModule {
  root: string;
  modulePath: string;
}

/**
 * Maps the file names a profile records to files of the linted tree. A Go binary records
 * absolute build paths, or with -trimpath `module/path/file.go`; the build may have run
 * in another checkout. Tried in order: the same absolute path, a module path of the tree
 * followed by the file's path in that module, and the longest path suffix (at least a
 * directory and the file name) that exactly one file of the tree shares.
 */
export class TreeFiles {
  private readonly files: Set<string>;
  private readonly byBase = new Map<string, string[]>();
  private readonly modules: TreeModule[];
  private readonly cache = new Map<string, string | null>();

  /** `files` are absolute paths; mapped names come back relative to `cwd`, with forward slashes. */
  constructor(
    private readonly cwd: string,
    files: string[],
    modules: TreeModule[],
  ) {
    this.files = new Set(files.map(toSlash));
    for (const f of this.files) {
      const base = f.slice(f.lastIndexOf('/') + 1);
      const list = this.byBase.get(base);
      if (list) list.push(f);
      else this.byBase.set(base, [f]);
    }
    // Longest module path first, so a nested module wins over its parent.
    this.modules = [...modules].sort((a, b) => b.modulePath.length - a.modulePath.length);
  }

  /** The tree file a profile file name stands for, relative to the working directory, or null. */
  map(profileFile: string): string | null {
    let hit = this.cache.get(profileFile);
    if (hit === undefined) {
      const abs = this.resolve(toSlash(profileFile));
      hit = abs === null ? null : toSlash(path.relative(this.cwd, abs));
      this.cache.set(profileFile, hit);
    }
    return hit;
  }

  private resolve(name: string): string | null {
    if (this.files.has(name)) return name;
    for (const m of this.modules) {
      if (!name.startsWith(`${m.modulePath}/`)) continue;
      const candidate = `${toSlash(m.root)}/${name.slice(m.modulePath.length + 1)}`;
      if (this.files.has(candidate)) return candidate;
    }
    return this.bySuffix(name);
  }

  private bySuffix(name: string): string | null {
    const parts = name.split('/');
    const candidates = this.byBase.get(parts[parts.length - 1]) ?? [];
    let best: string | null = null;
    let bestLength = 0;
    let tie = false;
    for (const c of candidates) {
      const n = commonSuffix(parts, c.split('/'));
      if (n > bestLength) {
        best = c;
        bestLength = n;
        tie = false;
      } else if (n === bestLength) {
        tie = true;
      }
    }
    return best !== null && !tie && bestLength >= 2 ? best : null;
  }
}

/** How many trailing path components two paths share. */
function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function toSlash(p: string): string {
  return p.replace(/\\/g, '/');
}
