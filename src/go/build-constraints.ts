/**
 * Build constraints: which files a build includes, read as the go command reads them
 * (go/build's header rules), and judged across every platform.
 *
 * A file's constraint is its `//go:build` line, or else the AND of its `// +build`
 * lines, and its GOOS/GOARCH file name suffix. goleak-lint lints what some build of the
 * package on some platform compiles, so GOOS, GOARCH, `unix`, `cgo`, toolchain
 * experiments and architecture levels are free variables: a file is linted when its
 * constraint can be true for one choice of them. What the user decides is fixed: tags
 * they name (`--tags`) are true, other custom tags (`ignore` among them) are false.
 */

/** A build constraint expression: tags combined with `!`, `&&` and `||`. */
export type Constraint =
  | { op: 'tag'; tag: string }
  | { op: 'not'; x: Constraint }
  | { op: 'and' | 'or'; x: Constraint; y: Constraint };

export class ConstraintSyntaxError extends Error {}

/** GOOS values the go command knows (go/build's list, which keeps past and future ones). */
const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux',
  'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos',
]);

/** The GOOS values the `unix` tag matches. */
const UNIX_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'linux', 'netbsd', 'openbsd', 'solaris',
]);

/** GOARCH values the go command knows. */
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);

/** A GOOS that also satisfies another OS's tag: android builds linux files, and so on. */
const OS_ALSO: Record<string, string> = { android: 'linux', illumos: 'solaris', ios: 'darwin' };

/** Letters, digits, `_` and `.`, as go/build/constraint allows in a tag. */
const TAG = /^[\p{L}\p{Nd}_.]+$/u;
const TAG_PREFIX = /^[\p{L}\p{Nd}_.]+/u;

export function isValidTag(word: string): boolean {
  return TAG.test(word);
}

/** Parses the expression of a `//go:build` line; throws ConstraintSyntaxError. */
export function parseGoBuild(text: string): Constraint {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.text ?? '';
  const unexpected = (): never => {
    throw new ConstraintSyntaxError(i < tokens.length ? `unexpected token ${peek()}` : 'unexpected end of expression');
  };
  const or = (): Constraint => {
    let x = and();
    while (peek() === '||') {
      i++;
      x = { op: 'or', x, y: and() };
    }
    return x;
  };
  const and = (): Constraint => {
    let x = not();
    while (peek() === '&&') {
      i++;
      x = { op: 'and', x, y: not() };
    }
    return x;
  };
  const not = (): Constraint => {
    if (peek() !== '!') return atom();
    i++;
    if (peek() === '!') throw new ConstraintSyntaxError('double negation not allowed');
    return { op: 'not', x: atom() };
  };
  const atom = (): Constraint => {
    const token = tokens[i];
    if (token?.text === '(') {
      i++;
      let x: Constraint;
      try {
        x = or();
      } catch (err) {
        if (err instanceof ConstraintSyntaxError && err.message === 'unexpected end of expression') {
          throw new ConstraintSyntaxError('missing close paren');
        }
        throw err;
      }
      if (peek() !== ')') throw new ConstraintSyntaxError('missing close paren');
      i++;
      return x;
    }
    if (!token?.isTag) return unexpected();
    i++;
    return { op: 'tag', tag: token.text };
  };
  const x = or();
  if (i < tokens.length) unexpected();
  return x;
}

function tokenize(text: string): { text: string; isTag: boolean }[] {
  const tokens: { text: string; isTag: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '!') {
      tokens.push({ text: c, isTag: false });
      i++;
    } else if (c === '&' || c === '|') {
      if (text[i + 1] !== c) throw new ConstraintSyntaxError(`invalid syntax at ${c}`);
      tokens.push({ text: c + c, isTag: false });
      i += 2;
    } else {
      const tag = TAG_PREFIX.exec(text.slice(i))?.[0];
      if (!tag) throw new ConstraintSyntaxError(`invalid syntax at ${String.fromCodePoint(text.codePointAt(i)!)}`);
      tokens.push({ text: tag, isTag: true });
      i += tag.length;
    }
  }
  return tokens;
}

/**
 * Parses the expression of a `// +build` line: space-separated options (OR) of
 * comma-separated terms (AND), each term a tag or `!tag`. Throws ConstraintSyntaxError
 * for an empty line or a bad term, which the go command would quietly read as `ignore`.
 */
export function parsePlusBuild(text: string): Constraint {
  const options = text.split(/\s+/).filter(Boolean);
  if (!options.length) throw new ConstraintSyntaxError('empty +build line');
  const anyOf = options.map((option) =>
    option.split(',').map((term): Constraint => {
      const negated = term.startsWith('!');
      const name = negated ? term.slice(1) : term;
      if (!isValidTag(name)) throw new ConstraintSyntaxError(`bad term "${term}"`);
      return negated ? { op: 'not', x: { op: 'tag', tag: name } } : { op: 'tag', tag: name };
    }).reduce((x, y) => ({ op: 'and', x, y })),
  );
  return anyOf.reduce((x, y) => ({ op: 'or', x, y }));
}

export interface ConstraintProblem {
  /** 1-based line of the bad constraint. */
  line: number;
  message: string;
}

export interface HeaderConstraint {
  /** The constraint the file's header states; null when none (bad lines constrain nothing). */
  constraint: Constraint | null;
  problems: ConstraintProblem[];
}

/**
 * The build constraint in the header of a Go file, with go/build's rules: only comment
 * and blank lines before the package clause count. A `//go:build` line decides when
 * there is one; else every `// +build` line applies (ANDed), but only those in the
 * `//` comments that a blank line separates from what follows, so a doc comment is not
 * a constraint. Lines inside a block comment are not constraints.
 */
export function readHeaderConstraint(source: string): HeaderConstraint {
  const problems: ConstraintProblem[] = [];
  let goBuild: { line: number; text: string } | null = null;
  let goBuildCount = 0;
  const plusLines: { line: number; text: string }[] = [];
  // The +build lines seen before the latest blank line that still precedes any code or block comment.
  let plusAccepted = 0;
  // Set at the first line that is neither blank nor a // comment: no +build line counts after it.
  let ended = false;
  let inBlock = false;
  let lineNo = 0;
  scan: for (let start = 0; start < source.length; ) {
    const nl = source.indexOf('\n', start);
    const end = nl === -1 ? source.length : nl;
    let line = source.slice(start, end).trim();
    start = end + 1;
    lineNo++;
    if (!line && !ended) {
      plusAccepted = plusLines.length;
      continue;
    }
    if (!line.startsWith('//')) ended = true;
    if (!inBlock) {
      const expr = afterPrefix(line, '//go:build');
      if (expr !== null) {
        goBuildCount++;
        goBuild ??= { line: lineNo, text: expr };
      } else if (!ended) {
        const plus = line.startsWith('//') ? afterPrefix(line.slice(2).trim(), '+build') : null;
        if (plus !== null) plusLines.push({ line: lineNo, text: plus });
      }
    }
    while (line) {
      if (inBlock) {
        const close = line.indexOf('*/');
        if (close === -1) continue scan;
        inBlock = false;
        line = line.slice(close + 2).trim();
      } else if (line.startsWith('//')) {
        continue scan;
      } else if (line.startsWith('/*')) {
        inBlock = true;
        line = line.slice(2).trim();
      } else {
        break scan; // the package clause, or other code
      }
    }
  }
  if (goBuild) {
    if (goBuildCount > 1) {
      problems.push({ line: goBuild.line, message: `${goBuildCount} //go:build lines in one file` });
      return { constraint: null, problems };
    }
    try {
      return { constraint: parseGoBuild(goBuild.text), problems };
    } catch (err) {
      if (!(err instanceof ConstraintSyntaxError)) throw err;
      problems.push({ line: goBuild.line, message: err.message });
      return { constraint: null, problems };
    }
  }
  let constraint: Constraint | null = null;
  for (const plus of plusLines.slice(0, plusAccepted)) {
    try {
      const x = parsePlusBuild(plus.text);
      constraint = constraint ? { op: 'and', x: constraint, y: x } : x;
    } catch (err) {
      if (!(err instanceof ConstraintSyntaxError)) throw err;
      problems.push({ line: plus.line, message: err.message });
    }
  }
  return { constraint, problems };
}

/** The text after `prefix` when the prefix is followed by a space or tab or ends the line, else null. */
function afterPrefix(line: string, prefix: string): string | null {
  if (!line.startsWith(prefix)) return null;
  const rest = line.slice(prefix.length);
  if (rest && rest[0] !== ' ' && rest[0] !== '\t') return null;
  return rest.trim();
}

/**
 * The constraint a file name states, as the go command reads it: `x_GOOS`, `x_GOARCH`
 * or `x_GOOS_GOARCH`, before `_test` and the extension. A bare `linux.go` states none.
 */
export function fileNameConstraint(name: string): Constraint | null {
  const stem = name.split('.')[0];
  const underscore = stem.indexOf('_');
  if (underscore === -1) return null;
  const parts = stem.slice(underscore + 1).split('_');
  if (parts[parts.length - 1] === 'test') parts.pop();
  const last = parts[parts.length - 1];
  const before = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  if (before !== undefined && KNOWN_OS.has(before) && KNOWN_ARCH.has(last)) {
    return { op: 'and', x: { op: 'tag', tag: before }, y: { op: 'tag', tag: last } };
  }
  if (last !== undefined && (KNOWN_OS.has(last) || KNOWN_ARCH.has(last))) return { op: 'tag', tag: last };
  return null;
}

/** What a run fixes about every build; everything else is a free variable (see the top of this file). */
export interface BuildSettings {
  /** Tags the user named (`--tags`): true in every build. */
  tags: ReadonlySet<string>;
  /** The minor version of the module's Go line: release tags go1.1 … go1.N are true, later ones free. */
  goMinor: number;
}

/**
 * Beyond this many assignments to try, a constraint is taken as satisfiable: linting a
 * file no build includes costs less than dropping one that a build does.
 */
const MAX_ASSIGNMENTS = 1 << 16;

/** Whether some build, on some platform, with some toolchain the module allows, satisfies the constraint. */
export function satisfiable(constraint: Constraint, settings: BuildSettings): boolean {
  const fixed = new Map<string, boolean>();
  const osTags: string[] = [];
  const archTags: string[] = [];
  const releases: number[] = [];
  const free: string[] = [];
  for (const tag of tagsOf(constraint)) {
    const release = /^go1\.(\d+)$/.exec(tag);
    if (settings.tags.has(tag)) fixed.set(tag, true);
    else if (KNOWN_OS.has(tag) || tag === 'unix') osTags.push(tag);
    else if (KNOWN_ARCH.has(tag)) archTags.push(tag);
    else if (release && Number(release[1]) <= settings.goMinor) fixed.set(tag, true);
    else if (release) releases.push(Number(release[1]));
    else if (tag === 'gc') fixed.set(tag, true);
    else if (isFreeTag(tag)) free.push(tag);
    else fixed.set(tag, false); // gccgo, ignore, and every custom tag not named
  }
  // Each dimension as the distinct assignments it can give the tags that mention it.
  const dimensions: Assignment[][] = [];
  if (osTags.length) {
    dimensions.push(distinct([...KNOWN_OS].map((goos) => osTags.map((t) => [t, t === goos || t === OS_ALSO[goos] || (t === 'unix' && UNIX_OS.has(goos))]))));
  }
  if (archTags.length) dimensions.push(distinct([...KNOWN_ARCH].map((goarch) => archTags.map((t) => [t, t === goarch]))));
  // Toolchain versions: the module's own and each newer one the constraint names.
  if (releases.length) dimensions.push([settings.goMinor, ...releases].map((v) => releases.map((n) => [`go1.${n}`, n <= v])));
  for (const t of free) dimensions.push([[[t, true]], [[t, false]]]);
  if (dimensions.reduce((n, d) => n * d.length, 1) > MAX_ASSIGNMENTS) return true;
  const values = new Map(fixed);
  const search = (d: number): boolean => {
    if (d === dimensions.length) return evaluate(constraint, values);
    return dimensions[d].some((assignment) => {
      for (const [t, v] of assignment) values.set(t, v);
      return search(d + 1);
    });
  };
  return search(0);
}

/** Tags that a build environment sets, not the user's tag list: cgo, experiments, architecture levels. */
function isFreeTag(tag: string): boolean {
  if (tag === 'cgo' || tag === 'boringcrypto' || tag.startsWith('goexperiment.')) return true;
  const dot = tag.indexOf('.');
  return dot > 0 && KNOWN_ARCH.has(tag.slice(0, dot)); // amd64.v3, arm.7, ppc64.power9 …
}

/** Values for some of a constraint's tags. */
type Assignment = [string, boolean][];

function distinct(assignments: Assignment[]): Assignment[] {
  const byKey = new Map(assignments.map((a) => [a.map(([, v]) => (v ? '1' : '0')).join(''), a]));
  return [...byKey.values()];
}

function tagsOf(c: Constraint, into = new Set<string>()): Set<string> {
  if (c.op === 'tag') into.add(c.tag);
  else if (c.op === 'not') tagsOf(c.x, into);
  else tagsOf(c.y, tagsOf(c.x, into));
  return into;
}

function evaluate(c: Constraint, values: ReadonlyMap<string, boolean>): boolean {
  switch (c.op) {
    case 'tag':
      return values.get(c.tag)!;
    case 'not':
      return !evaluate(c.x, values);
    case 'and':
      return evaluate(c.x, values) && evaluate(c.y, values);
    case 'or':
      return evaluate(c.x, values) || evaluate(c.y, values);
  }
}

export interface FileVerdict {
  /** Whether some build includes the file. */
  included: boolean;
  problems: ConstraintProblem[];
}

/** Whether a build includes the Go file `name` (its base name) with this source. */
export function fileIncluded(name: string, source: string, settings: BuildSettings): FileVerdict {
  const header = readHeaderConstraint(source);
  const fromName = fileNameConstraint(name);
  const constraint =
    header.constraint && fromName ? { op: 'and' as const, x: header.constraint, y: fromName } : (header.constraint ?? fromName);
  return { included: !constraint || satisfiable(constraint, settings), problems: header.problems };
}

