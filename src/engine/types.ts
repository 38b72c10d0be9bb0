import type { SyntaxNode, Tree } from '../go/tree.js';
import type { GoVersion } from '../gomod.js';
import type { ImportTable } from '../go/imports.js';
import type { ProfileImpact } from '../profile/types.js';

export type Severity = 'error' | 'warning' | 'note';
export type Precision = 'very-high' | 'high' | 'medium' | 'low';

export interface RuleMeta {
  id: string;
  /** One line, at most 60 characters. */
  title: string;
  why: string;
  fix: string;
  example: { bad: string; good: string };
  severity: Severity;
  precision: Precision;
  tags: string[];
  /**
   * The rule applies only where the module's Go version is below `below`, or where the
   * go.mod `godebug` setting `restoredBy` (such as asynctimerchan=1) brings the old
   * behaviour back.
   */
  goVersion?: { below: string; restoredBy?: string };
  /** How to silence one finding; the generic suppression comment when absent. */
  suppress?: string;
  /**
   * The one test-code policy (see TEST_CODE_POLICY): a rule whose finding is a goroutine
   * that hangs forever reports it in test code too, where it makes a test hang or leak into
   * the next; a rule about what grows or lingers is not run on test code, which ends with the test.
   * Every rule states it (a test checks); profile checks, which judge no code, do not.
   */
  inTests?: 'reported' | 'skipped';
  /**
   * Set on a rule that runs only when named (`--enable id`, `--enable all`, config `enable:`):
   * why, as its docs and `rules` say it. A rule is opt-in when, judged blind on the
   * development corpora, most of its findings are true but harmless.
   */
  optIn?: string;
  /**
   * What reports it when not a rule over Go code: the profile ranker (hot spots, with
   * --profile) or the check of suppression comments (with --report-unused-ignores).
   */
  kind?: 'profile' | 'suppression';
}

/** A span in a file: 1-based lines, 1-based columns in UTF-16 code units. */
export interface Span {
  file: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface RelatedLocation extends Span {
  message: string;
}

/** A line where the leaked memory is allocated or the leaked goroutine blocks. */
export interface EvidenceSite {
  file: string;
  line: number;
}

export interface Finding extends Span {
  ruleId: string;
  severity: Severity;
  message: string;
  related: RelatedLocation[];
  evidence: EvidenceSite[];
  /** Stays the same when lines move: see engine/fingerprint.ts. */
  fingerprint: string;
  /** Set when an in-source comment (inSource) or the baseline (external) silences the finding. */
  suppression?: { kind: 'inSource' | 'external'; justification: string };
  /** Set when profiles were given (--profile): what each one attributes to this finding. */
  profile?: ProfileImpact[];
}

/** One parsed Go file of a package. */
export interface GoFile {
  /** Path relative to the run's root, with forward slashes. */
  path: string;
  source: string;
  tree: Tree;
  imports: ImportTable;
  isTest: boolean;
}

/** Facts about the module that holds a package. */
export interface ModuleFacts {
  modulePath: string | null;
  goVersion: GoVersion;
  godebug: Record<string, string>;
}

/** The unit a rule checks: the files of one directory with one package clause. */
export interface Package {
  dir: string;
  name: string;
  files: GoFile[];
  module: ModuleFacts;
}

/** What a rule hands to report(): the node to report at, the rest is filled in. */
export interface Report {
  node: SyntaxNode;
  file: GoFile;
  message: string;
  related?: { node: SyntaxNode; file: GoFile; message: string }[];
  /** Nodes whose lines are evidence sites; defaults to the reported node. */
  evidence?: { node: SyntaxNode; file: GoFile }[];
}

/** What is known of a rule without its code: its metadata (the main thread knows rules so). */
export interface Described {
  meta: RuleMeta;
}

export interface Rule extends Described {
  check(pkg: Package, report: (r: Report) => void): void;
}
