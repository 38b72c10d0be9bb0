#!/usr/bin/env node
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describedRules, evidenceRules, ruleEnabled, unknownRuleId } from './engine/registry.js';
import { parseGoVersion } from './gomod.js';
import { lint, type LintResult } from './lint.js';
import { applyBaseline, writeBaseline } from './baseline.js';
import { changedSince, onChangedLines } from './changed-lines.js';
import { findConfig, loadConfig, type Config, type FailLevel } from './config.js';
import type { Finding, Severity } from './engine/types.js';
import { FORMATS, parseOutput, planOutputs, writeOutputs, type Output } from './report/outputs.js';
import { parseShard, type Shard } from './shard.js';
import { renderExplain, renderRuleList, renderRulesJson } from './report/rules.js';
import { closest, didYouMean } from './suggest.js';
import { describeSize, MAX_FILE_BYTES, parseSize } from './load.js';
import { ProgressLine, progressWanted } from './progress.js';
import { skippedSummary, warningText } from './warnings.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { UsageError } from './errors.js';
import type { LoadedProfile } from './profile/types.js';
import { defaultCacheDir } from './cache.js';
import { isValidTag } from './go/build-constraints.js';
import { initParser } from './parser/index.js';
import { tuneV8 } from './v8-tuning.js';

tuneV8();

const COMMANDS = ['rules', 'explain', 'help'];

/** Exit codes: clean, findings, usage or internal error. */
const EXIT = { clean: 0, findings: 1, error: 2 } as const;

interface Flags {
  version?: boolean;
  format: Output[];
  output?: string;
  shard?: Shard;
  color: 'auto' | 'always' | 'never';
  /** A file, false for --no-config, undefined to look for one upwards. */
  config?: string | false;
  enable?: string[];
  disable?: string[];
  go?: string;
  jobs?: number;
  tests?: boolean;
  generated?: boolean;
  tags?: string[];
  reportUnusedIgnores?: boolean;
  failLevel?: FailLevel;
  exitZero?: boolean;
  baseline?: string;
  writeBaseline?: string;
  newFromRev?: string;
  profile?: string[];
  profileBase?: string[];
  profileThreshold: number;
  profileTimeout: number;
  cache?: boolean;
  cacheDir?: string;
  maxFileSize?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { note: 0, warning: 1, error: 2 };

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((s) => s.trim()).filter(Boolean),
];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/** `a,b` or `a b`, as go vet -tags takes them; the last --tags wins, as there. */
function tagList(value: string): string[] {
  const tags = value.split(/[\s,]+/).filter(Boolean);
  const bad = tags.find((t) => !isValidTag(t));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a build tag (letters, digits, _ and . only)`);
  return tags;
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

function output(value: string, previous: Output[] = []): Output[] {
  const o = parseOutput(value);
  if (!o) {
    const format = value.split(':')[0];
    const known = (FORMATS as readonly string[]).includes(format);
    throw new InvalidArgumentError(
      known
        ? `must be FORMAT or FORMAT:FILE, with a file name after the colon`
        : `unknown format "${format}"${didYouMean(format, FORMATS)}: must be FORMAT or FORMAT:FILE, with FORMAT one of ${FORMATS.join(', ')}`,
    );
  }
  return [...previous, o];
}

function size(value: string): number {
  const n = parseSize(value);
  if (n === null) throw new InvalidArgumentError('must be a size such as 8M, 512k or 1000000 (bytes)');
  return n;
}

function shard(value: string): Shard {
  const s = parseShard(value);
  if (!s) throw new InvalidArgumentError('must be I/N with 1 <= I <= N, such as 2/3');
  return s;
}

/** `1`, `1%` or `0.5%`: a share of a profile, returned as 0..1. */
function percent(value: string): number {
  const n = Number(value.trim().replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('must be a percentage from 0 to 100, such as 1 or 0.5%');
  return n / 100;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return n;
}

function bool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('must be true or false');
}

function buildProgram(): Command {
  const program = new Command(TOOL_NAME)
    .description('Static leak linter for Go: goroutine leaks, unbounded caches, unstopped timers, lost cancels')
    .option('-V, --version', 'print the version and which parser runs (native tree-sitter or WebAssembly)')
    .argument('[patterns...]', 'packages to lint: ./..., dir/..., a directory, or .go files', ['.'])
    .addOption(
      new Option('-f, --format <format[:file]>', `output format: ${FORMATS.join(', ')}; with :file, written there (repeatable)`)
        .argParser(output)
        .default([], 'text'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--shard <i/n>', 'lint only the i-th of n parts of the packages (by a hash of their paths), for parallel CI jobs', shard)
    .addOption(new Option('--color <when>', 'colour the text output').choices(['auto', 'always', 'never']).default('auto'))
    .option('-c, --config <file>', 'config file (default: .goleak-lint.yml here or in a parent directory)')
    .option('--no-config', 'ignore config files')
    .option('--enable <rules>', 'rule ids to enable, opt-in rules included (comma-separated, repeatable; all: every rule)', list)
    .option('--disable <rules>', 'rule ids to disable (comma-separated, repeatable; "all" for every rule)', list)
    .option('--go <version>', "Go version to assume instead of each go.mod's go line (e.g. 1.21)")
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)', positiveInt)
    .option('--tests <bool>', 'lint _test.go files (default: true)', bool)
    .option('--generated', 'also lint files marked "Code generated ... DO NOT EDIT."')
    .option('--max-file-size <size>', `skip Go files larger than this, such as 8M or 512k (default: ${describeSize(MAX_FILE_BYTES)})`, size)
    .option('--tags <tags>', 'build tags to treat as set (comma-separated, as go vet -tags)', tagList)
    .option('--report-unused-ignores', 'report suppression comments that silence nothing')
    .addOption(
      new Option('--fail-level <level>', 'lowest severity that makes the exit code 1 (default: note)').choices([
        'error',
        'warning',
        'note',
        'none',
      ]),
    )
    .option('--exit-zero', 'exit 0 even when there are findings')
    .option('--baseline <file>', 'report only findings that this baseline file does not list')
    .option('--write-baseline <file>', 'write the current findings to a baseline file')
    .option('--new-from-rev <rev>', 'report only findings on lines changed since a git revision')
    .option('--profile <file|url>', 'heap, goroutine or goroutineleak pprof profile to rank findings by (repeatable)', repeat)
    .option('--profile-base <file|url>', 'an earlier profile of a --profile\'s kind: rank by growth since it (repeatable, one per kind)', repeat)
    .addOption(
      new Option('--profile-threshold <percent>', 'raise findings above this share of a profile to error')
        .argParser(percent)
        .default(0.01, '1%'),
    )
    .addOption(
      new Option('--profile-timeout <seconds>', 'how long a profile URL gets to answer').argParser(positiveSeconds).default(30, '30 s'),
    )
    .option('--cache', 'reuse the results of unchanged packages (default: on)')
    .option('--no-cache', 'neither read nor write the result cache')
    .option('--cache-dir <dir>', 'where to keep the result cache (default: $XDG_CACHE_HOME/goleak-lint or ~/.cache/goleak-lint)')
    .showSuggestionAfterError(true)
    // `help [command]` as well as --help; a subcommand's own options follow its name.
    .helpCommand(true)
    .enablePositionalOptions()
    .configureOutput({ outputError: (message, write) => write(oneLineError(message)) })
    .exitOverride()
    .action(async (patterns: string[], flags: Flags) => {
      if (flags.version) return void process.stdout.write(`${TOOL_VERSION}\nparser: ${(await initParser()).description}\n`);
      process.exitCode = await runLint(patterns, flags);
    });
  program
    .command('rules')
    .description('list every id a report can carry: the rules, the profile checks and the suppression check')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(({ format }: { format: 'text' | 'json' }) => {
      const all = [...describedRules.values()];
      process.stdout.write(format === 'json' ? renderRulesJson(all) : renderRuleList(all));
    });
  program
    .command('explain')
    .description('explain a rule: why it leaks, how to fix it, an example')
    .argument('<rule>', 'rule id')
    .action((id: string) => {
      const rule = describedRules.get(id);
      if (!rule) throw new UsageError(unknownRuleId(id));
      process.stdout.write(renderExplain(rule));
    });
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ outputError: (message, write) => write(oneLineError(message)) });
  }
  return program;
}

/** Commander's "error: ...\n(Did you mean ...?)" as one line in goleak-lint's own voice. */
function oneLineError(message: string): string {
  return `${TOOL_NAME}: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`;
}

async function readConfig(flags: Flags, cwd: string): Promise<Config | null> {
  if (flags.config === false) return null;
  const file = flags.config ?? findConfig(cwd);
  return file ? loadConfig(file, cwd) : null;
}

/** `rulez` is a misspelt command rather than a directory, when no such path exists. */
function misspeltCommand(patterns: string[], cwd: string): void {
  const [first] = patterns;
  if (first === undefined || /[/.]/.test(first) || existsSync(path.resolve(cwd, first))) return;
  const command = closest(first, COMMANDS);
  if (command) throw new UsageError(`${first}: no such file or directory (did you mean the command "${command}"?)`);
}

async function runLint(patterns: string[], flags: Flags): Promise<number> {
  const cwd = process.cwd();
  misspeltCommand(patterns, cwd);
  const outputs = planOutputs(flags.format, flags.output);
  const config = await readConfig(flags, cwd);
  const goText = flags.go ?? config?.go;
  let goVersion;
  if (goText !== undefined) {
    goVersion = parseGoVersion(goText);
    if (!goVersion) throw new UsageError(`--go: "${goText}" is not a Go version such as 1.21`);
  }
  // Read before linting: a bad revision is a usage error, not a half-printed report.
  const changed = flags.newFromRev === undefined ? null : changedSince(flags.newFromRev, cwd);
  const profileFiles = flags.profile ?? [];
  if (flags.profileBase !== undefined && !profileFiles.length) throw new UsageError('--profile-base needs a --profile to subtract it from');
  // Profiles first: a bad one stops the run before anything is linted or printed.
  // (Loaded on demand, like the config parser: a run without profiles does not pay for them.)
  const profiles = profileFiles.length
    ? await (await import('./profile/load.js')).loadProfiles(profileFiles, flags.profileBase, flags.profileTimeout * 1000)
    : [];
  // With a profile, the opt-in rules run too, and keep only what the profile shows is large (see rank).
  const evidence = profiles.length
    ? evidenceRules([...(config?.enable ?? []), ...(flags.enable ?? [])], [...(config?.disable ?? []), ...(flags.disable ?? [])])
    : [];
  const progress = progressWanted(process.stderr, process.env) ? new ProgressLine((s) => process.stderr.write(s)) : null;
  const result = await lint({
    patterns,
    cwd,
    base: { enable: config?.enable, disable: config?.disable },
    enable: [...(flags.enable ?? []), ...evidence],
    disable: flags.disable,
    severity: config?.severity,
    exclude: config?.exclude && { dir: path.dirname(config.file), globs: config.exclude },
    goVersion: goVersion ?? undefined,
    tests: flags.tests ?? config?.tests ?? true,
    generated: flags.generated ?? config?.generated ?? false,
    tags: flags.tags ?? config?.tags,
    reportUnusedIgnores: flags.reportUnusedIgnores ?? config?.reportUnusedIgnores ?? false,
    jobs: flags.jobs,
    cacheDir: flags.cache === false ? undefined : path.resolve(flags.cacheDir ?? defaultCacheDir()),
    shard: flags.shard,
    maxFileBytes: flags.maxFileSize ?? config?.maxFileSize,
    progress: progress ? (done, total) => progress.update(done, total) : undefined,
  });
  progress?.end();
  // The baseline is written from what the code alone shows, before any profile adds to it.
  if (flags.writeBaseline) {
    const n = writeBaseline(flags.writeBaseline, result.findings.filter((f) => !evidence.includes(f.ruleId)), cwd);
    process.stderr.write(`${TOOL_NAME}: wrote ${n} finding${n === 1 ? '' : 's'} to the baseline ${flags.writeBaseline}\n`);
  }
  // Ranked before the baseline and --new-from-rev filter: what the profile makes (hot spots,
  // findings on its evidence) is filtered as the rest, and a finding left out still explains
  // its bytes instead of leaving them to a hot spot.
  if (profiles.length) await rank(result, profiles, patterns, flags, config, cwd, evidence);
  if (changed) {
    const before = result.findings.filter((f) => !f.suppression).length;
    result.findings = onChangedLines(result.findings, changed, cwd);
    result.unchanged = before - result.findings.filter((f) => !f.suppression).length;
  }
  const baseline = flags.writeBaseline ?? flags.baseline ?? (config?.baseline && path.relative(cwd, config.baseline));
  if (baseline) applyBaseline(baseline, result.findings, cwd);
  // GitHub annotations carry the warnings themselves; printed on stderr too, each would show twice.
  if (!outputs.some((o) => o.format === 'github' && o.file === undefined)) {
    for (const w of result.warnings) process.stderr.write(`${TOOL_NAME}: warning: ${warningText(w)}\n`);
  }
  if (result.stats.files === 0) for (const line of skippedSummary(result.stats.skipped)) process.stderr.write(`${TOOL_NAME}: ${line}\n`);
  for (const e of result.internalErrors) process.stderr.write(`${TOOL_NAME}: internal error: ${e}\n`);
  writeOutputs(outputs, result, { cwd, color: (toFile) => useColor(flags, toFile), shard: flags.shard });
  if (result.internalErrors.length) return EXIT.error;
  const failLevel = flags.exitZero ? 'none' : (flags.failLevel ?? config?.failLevel ?? 'note');
  return result.findings.some((f) => fails(f, failLevel)) ? EXIT.findings : EXIT.clean;
}

/** Whether an open finding is at or above the fail level. */
function fails(f: Finding, level: FailLevel): boolean {
  return !f.suppression && level !== 'none' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[level];
}

async function rank(
  result: LintResult,
  profiles: LoadedProfile[],
  patterns: string[],
  flags: Flags,
  config: Config | null,
  cwd: string,
  evidence: string[],
): Promise<void> {
  const [{ rankWithProfiles }] = await Promise.all([import('./profile/rank.js'), initParser()]); // it parses
  const on = (id: string) =>
    ruleEnabled(id, [...(config?.enable ?? []), ...(flags.enable ?? [])], [...(config?.disable ?? []), ...(flags.disable ?? [])]);
  rankWithProfiles(result, profiles, {
    cwd,
    patterns,
    tests: flags.tests ?? config?.tests ?? true,
    threshold: flags.profileThreshold,
    hotspots: { heap: on('heap-hotspot'), goroutine: on('goroutine-hotspot'), leak: on('goroutine-leak-hotspot') },
    shard: flags.shard,
    evidenceOnly: evidence,
  });
  // Hot spots are made here, after lint() gave the rules' findings the config's severities.
  for (const f of result.findings) {
    const level = config?.severity?.[f.ruleId];
    if (level && describedRules.get(f.ruleId)?.meta.kind === 'profile') f.severity = level;
  }
}

function useColor(flags: Flags, toFile: boolean): boolean {
  if (flags.color === 'always') return true;
  if (flags.color === 'never' || toFile) return false;
  return !process.env.NO_COLOR && process.stdout.isTTY === true;
}

async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as cat and grep do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? EXIT.clean);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its one-line message already; help and version are not errors.
      process.exitCode = err.exitCode === 0 ? EXIT.clean : EXIT.error;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const prefix = err instanceof UsageError ? '' : 'internal error: ';
    process.stderr.write(`${TOOL_NAME}: ${prefix}${message}\n`);
    process.exitCode = EXIT.error;
  }
}

await main(process.argv);
