import type { SyntaxNode } from '../go/tree.js';
import type { GoFile, Finding, Span } from './types.js';
import { didYouMean } from '../suggest.js';
import type { Warning } from '../warnings.js';

/** One `//goleak-lint:ignore` or `//nolint` comment. */
export interface IgnoreDirective extends Span {
  /** Rule ids it names, or 'all'. */
  rules: Set<string> | 'all';
  reason: string;
  /** The line whose findings it silences. */
  target: number;
  used: boolean;
  /** Addressed to goleak-lint by name (not a bare or `all` nolint meant for any linter). */
  ours: boolean;
  comment: SyntaxNode;
}

const IGNORE = /^\/\/\s*goleak-lint:ignore(?:\s+([\w,-]+))?(?:\s+(.*))?$/;
const NOLINT = /^\/\/\s*nolint(?::([\w,-]+))?\b(?:\s*\/\/\s*(.*))?/;

/**
 * Reads the suppression comments of a file. A directive alone on its line silences the
 * next line; one after code silences its own line. Malformed directives are returned as
 * problems and silence nothing; so is each rule id of a directive that `known` (when given)
 * lacks: a misspelt id would otherwise silence nothing, and nobody would be told.
 */
export function readDirectives(file: GoFile, known?: ReadonlyMap<string, unknown>): { directives: IgnoreDirective[]; problems: Warning[] } {
  const directives: IgnoreDirective[] = [];
  const problems: Warning[] = [];
  if (!file.source.includes('goleak-lint') && !file.source.includes('nolint')) return { directives, problems };
  for (const comment of file.tree.rootNode.descendantsOfType('comment')) {
    const text = comment.text;
    let rules: Set<string> | 'all';
    let reason: string;
    let ours = true;
    const ignore = IGNORE.exec(text);
    const nolint = ignore ? null : NOLINT.exec(text);
    const line = comment.startPosition.row + 1;
    if (ignore) {
      if (!ignore[1] || !ignore[2]?.trim()) {
        problems.push({ file: file.path, line, message: 'goleak-lint:ignore needs a rule id and a reason: //goleak-lint:ignore rule-id why' });
        continue;
      }
      rules = ignore[1] === 'all' ? 'all' : new Set(ignore[1].split(',').filter(Boolean));
      for (const id of rules === 'all' ? [] : rules) {
        if (!known || known.has(id)) continue;
        const hint = didYouMean(id, known.keys());
        problems.push({ file: file.path, line, message: `goleak-lint:ignore names no rule "${id}"${hint}: it silences nothing (see: goleak-lint rules)` });
      }
      reason = ignore[2].trim();
    } else if (nolint) {
      const linters = nolint[1]?.split(',');
      if (linters && !linters.includes('goleak-lint') && !linters.includes('all')) continue;
      ours = linters?.includes('goleak-lint') ?? false;
      rules = 'all';
      reason = nolint[2]?.trim() ?? '';
    } else {
      continue;
    }
    const alone = /^[ \t]*$/.test(lineBefore(file.source, comment.startIndex));
    directives.push({
      file: file.path,
      startLine: line,
      startColumn: comment.startPosition.column + 1,
      endLine: comment.endPosition.row + 1,
      endColumn: comment.endPosition.column + 1,
      rules,
      reason,
      target: alone ? line + 1 : line,
      used: false,
      ours,
      comment,
    });
  }
  return { directives, problems };
}

function lineBefore(source: string, index: number): string {
  return source.slice(source.lastIndexOf('\n', index - 1) + 1, index);
}

/** Marks each finding that a directive silences, and each directive that silenced something. */
export function applyDirectives(findings: Finding[], directives: IgnoreDirective[]): void {
  if (directives.length === 0) return;
  for (const f of findings) {
    for (const d of directives) {
      if (d.file !== f.file || (d.target !== f.startLine && d.startLine !== f.startLine)) continue;
      if (d.rules !== 'all' && !d.rules.has(f.ruleId)) continue;
      d.used = true;
      f.suppression = { kind: 'inSource', justification: d.reason };
    }
  }
}
