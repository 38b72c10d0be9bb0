import { readFileSync } from 'node:fs';
import type { GoFile } from '../engine/types.js';
import { parseGo } from '../parser/index.js';
import type { SyntaxNode, Tree } from '../go/tree.js';
import { readImports } from '../go/imports.js';
import { enclosingFunction } from '../go/syntax.js';

/**
 * The Go files the ranker reads beside the workers: for the function around a finding's
 * evidence, and for the suppression comments of hot spots. Each file is parsed once.
 */
export class SourceFiles {
  private readonly parsed = new Map<string, { source: string; tree: Tree } | null>();

  /**
   * The line range (1-based, inclusive) of the innermost function or func literal around
   * a line: where a finding's evidence sits, so all that function allocates can be summed.
   */
  functionAround(absFile: string, line: number): { start: number; end: number } | null {
    const tree = this.parse(absFile)?.tree;
    if (!tree) return null;
    const row = line - 1;
    // Column 0 may fall in the indentation: take the first node that starts on the line.
    const node = firstNodeOnRow(tree.rootNode, row) ?? tree.rootNode.descendantForPosition({ row, column: 0 });
    const fn = enclosingFunction(node);
    return fn ? { start: fn.startPosition.row + 1, end: fn.endPosition.row + 1 } : null;
  }

  /** The file as the rules see it (`path` relative to the run's root), or null when unreadable. */
  goFile(absFile: string, path: string): GoFile | null {
    const parsed = this.parse(absFile);
    if (!parsed) return null;
    return { path, source: parsed.source, tree: parsed.tree, imports: readImports(parsed.tree.rootNode), isTest: path.endsWith('_test.go') };
  }

  private parse(absFile: string): { source: string; tree: Tree } | null {
    let parsed = this.parsed.get(absFile);
    if (parsed === undefined) {
      try {
        const source = readFileSync(absFile, 'utf8');
        parsed = { source, tree: parseGo(source) };
      } catch {
        parsed = null;
      }
      this.parsed.set(absFile, parsed);
    }
    return parsed;
  }
}

/** The smallest named node that starts on `row`, descending from `node`. */
function firstNodeOnRow(node: SyntaxNode, row: number): SyntaxNode | null {
  for (const child of node.namedChildren) {
    if (child.startPosition.row > row) break;
    if (child.endPosition.row < row) continue;
    if (child.startPosition.row === row) {
      let n = child;
      while (n.firstNamedChild && n.firstNamedChild.startPosition.row === row && n.firstNamedChild.startPosition.column === n.startPosition.column) n = n.firstNamedChild;
      return n;
    }
    return firstNodeOnRow(child, row);
  }
  return null;
}
