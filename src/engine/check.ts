import type { SyntaxNode } from '../go/tree.js';
import { compareGoVersions, parseGoVersion } from '../gomod.js';
import { fingerprint } from './fingerprint.js';
import { applyDirectives, readDirectives } from './suppress.js';
import { onlyTestsRun } from '../go/model/frequency.js';
import type { Finding, GoFile, Package, Rule, Span } from './types.js';
import { UNUSED_IGNORE_ID } from './unused-ignore.js';
import type { Warning } from '../warnings.js';

export interface PackageResult {
  findings: Finding[];
  /** Warnings about the package's files (bad suppression comments). */
  problems: Warning[];
  /** Rules that failed with an exception: a bug in goleak-lint, reported as an error. */
  internalErrors: string[];
}

export function spanOf(node: SyntaxNode, file: GoFile): Span {
  return {
    file: file.path,
    startLine: node.startPosition.row + 1,
    startColumn: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
  };
}

/** Whether a rule applies to code of the package's Go version and godebug settings. */
export function ruleApplies(rule: Rule, pkg: Package): boolean {
  const gate = rule.meta.goVersion;
  if (!gate) return true;
  const below = parseGoVersion(gate.below);
  if (below && compareGoVersions(pkg.module.goVersion, below) < 0) return true;
  if (!gate.restoredBy) return false;
  const [key, value] = gate.restoredBy.split('=');
  return pkg.module.godebug[key] === value;
}

/**
 * Runs the rules over one package, then applies its suppression comments; `known` is every
 * id a comment may name.
 */
export function checkPackage(pkg: Package, rules: Rule[], reportUnusedIgnores: boolean, known: ReadonlyMap<string, unknown>): PackageResult {
  const findings: Finding[] = [];
  const problems: Warning[] = [];
  const internalErrors: string[] = [];
  const ran = new Set<string>();
  for (const rule of rules) {
    if (!ruleApplies(rule, pkg)) continue;
    ran.add(rule.meta.id);
    try {
      rule.check(pkg, (r) => {
        if (rule.meta.inTests === 'skipped' && onlyTestsRun(pkg, r.node)) return;
        findings.push({
          ruleId: rule.meta.id,
          severity: rule.meta.severity,
          message: r.message,
          ...spanOf(r.node, r.file),
          related: (r.related ?? []).map((rel) => ({ ...spanOf(rel.node, rel.file), message: rel.message })),
          evidence: (r.evidence ?? [{ node: r.node, file: r.file }]).map((e) => ({
            file: e.file.path,
            line: e.node.startPosition.row + 1,
          })),
          fingerprint: fingerprint(rule.meta.id, r.file, r.node),
        });
      });
    } catch (err) {
      internalErrors.push(`rule ${rule.meta.id} failed on package ${pkg.name} in ${pkg.dir}: ${(err as Error).stack ?? err}`);
    }
  }
  for (const file of pkg.files) {
    const { directives, problems: bad } = readDirectives(file, known);
    problems.push(...bad);
    applyDirectives(findings, directives);
    if (!reportUnusedIgnores) continue;
    for (const d of directives) {
      const judged = d.rules === 'all' ? ran.size === rules.length : [...d.rules].every((id) => ran.has(id));
      if (d.used || !d.ours || !judged) continue;
      findings.push({
        ruleId: UNUSED_IGNORE_ID,
        severity: 'note',
        message: `this suppression comment silences no finding: remove it`,
        file: d.file,
        startLine: d.startLine,
        startColumn: d.startColumn,
        endLine: d.endLine,
        endColumn: d.endColumn,
        related: [],
        evidence: [],
        fingerprint: fingerprint(UNUSED_IGNORE_ID, file, d.comment),
      });
    }
  }
  return { findings, problems, internalErrors };
}
