import { readFileSync } from 'node:fs';
import Parser from 'tree-sitter';
import Go from 'tree-sitter-go';
import { enclosingFunction } from '../go/syntax.js';

/**
 * The line range (1-based, inclusive) of the innermost function or func literal around
 * each asked line of a Go file: where a finding's evidence sits, so the bytes allocated
 * anywhere in that function can be summed. Each file is parsed once.
 */
export class FunctionRanges {
  private parser: Parser | null = null;
  private readonly trees = new Map<string, Parser.Tree | null>();

  around(absFile: string, line: number): { start: number; end: number } | null {
    const tree = this.tree(absFile);
    if (!tree) return null;
    const row = line - 1;
    // Column 0 may fall in the indentation: take the first node that starts on the line.
    const node = firstNodeOnRow(tree.rootNode, row) ?? tree.rootNode.descendantForPosition({ row, column: 0 });
    const fn = enclosingFunction(node);
    return fn ? { start: fn.startPosition.row + 1, end: fn.endPosition.row + 1 } : null;
  }

  private tree(absFile: string): Parser.Tree | null {
    let tree = this.trees.get(absFile);
    if (tree === undefined) {
      try {
        const source = readFileSync(absFile, 'utf8');
        if (!this.parser) {
          this.parser = new Parser();
          this.parser.setLanguage(Go as unknown as Parser.Language);
        }
        tree = this.parser.parse(source, undefined, { bufferSize: source.length * 2 + 1024 });
      } catch {
        tree = null;
      }
      this.trees.set(absFile, tree);
    }
    return tree;
  }
}

/** The smallest named node that starts on `row`, descending from `node`. */
function firstNodeOnRow(node: Parser.SyntaxNode, row: number): Parser.SyntaxNode | null {
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
