import { createHash } from 'node:crypto';
import type { SyntaxNode } from '../go/tree.js';
import type { GoFile } from './types.js';

/**
 * A line-insensitive identity of a finding within its file, for baselines and SARIF
 * partialFingerprints: the rule, the top-level declaration around the node and the code
 * of the node's first line with whitespace squeezed. Code added or removed above a
 * finding keeps its fingerprint; editing the flagged line or renaming its function
 * changes it. The path is left out so that it does not depend on the working directory:
 * users of the fingerprint pair it with the file.
 */
export function fingerprint(ruleId: string, file: GoFile, node: SyntaxNode): string {
  return fingerprintOf(ruleId, declarationName(node), lineText(file.source, node.startIndex));
}

/** The same from its parts: a finding not made from a syntax node (a profile hot spot) uses it directly. */
export function fingerprintOf(ruleId: string, declaration: string, line: string): string {
  const code = line.trim().replace(/\s+/g, ' ');
  return createHash('sha256').update(`${ruleId}\0${declaration}\0${code}`).digest('hex').slice(0, 32);
}

function lineText(source: string, index: number): string {
  const start = source.lastIndexOf('\n', index - 1) + 1;
  const end = source.indexOf('\n', index);
  return source.slice(start, end === -1 ? source.length : end);
}

/** `Name`, `(*T).Name` or the first name a top-level var, const or type declares. */
function declarationName(node: SyntaxNode): string {
  let decl: SyntaxNode = node;
  while (decl.parent && decl.parent.type !== 'source_file') decl = decl.parent;
  const name = decl.childForFieldName('name')?.text;
  if (decl.type === 'method_declaration') {
    const receiver = decl.childForFieldName('receiver')?.firstNamedChild?.childForFieldName('type')?.text ?? '';
    return `(${receiver}).${name}`;
  }
  return name ?? decl.descendantsOfType('identifier')[0]?.text ?? '';
}
