#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ruleRegistry } from './engine/registry.js';
import { parseGoVersion } from './gomod.js';
import { lint, type LintResult } from './lint.js';
import { renderJson } from './report/json.js';
import { renderSarif } from './report/sarif.js';
import { renderText } from './report/text.js';
import { renderExplain, renderRuleList } from './report/rules.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { UsageError } from './errors.js';
import { describeFsError } from './load.js';
import { defaultCacheDir } from './cache.js';

/** Exit codes: clean, findings, usage or internal error. */
const EXIT = { clean: 0, findings: 1, error: 2 } as const;

interface Flags {
  format: 'text' | 'json' | 'sarif';
  output?: string;
  color: 'auto' | 'always' | 'never';
  enable: string[];
  disable: string[];
  go?: string;
  jobs?: number;
  tests: boolean;
  generated: boolean;
  reportUnusedIgnores: boolean;
  exitZero: boolean;
  cache?: boolean;
  cacheDir?: string;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((s) => s.trim()).filter(Boolean),
];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
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
    .version(TOOL_VERSION, '-V, --version')
    .argument('[patterns...]', 'packages to lint: ./..., dir/..., a directory, or .go files', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--color <when>', 'colour the text output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--enable <rules>', 'rule ids to enable (comma-separated, repeatable)', list, [])
    .option('--disable <rules>', 'rule ids to disable (comma-separated, repeatable; "all" for every rule)', list, [])
    .option('--go <version>', "Go version to assume instead of each go.mod's go line (e.g. 1.21)")
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)', positiveInt)
    .option('--tests <bool>', 'lint _test.go files', bool, true)
    .option('--generated', 'also lint files marked "Code generated ... DO NOT EDIT."', false)
    .option('--report-unused-ignores', 'report suppression comments that silence nothing', false)
    .option('--exit-zero', 'exit 0 even when there are findings', false)
    .option('--cache', 'reuse the results of unchanged packages (default: on)')
    .option('--no-cache', 'neither read nor write the result cache')
    .option('--cache-dir <dir>', 'where to keep the result cache (default: $XDG_CACHE_HOME/goleak-lint or ~/.cache/goleak-lint)')
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (message, write) => write(oneLineError(message)) })
    .exitOverride()
    .action(async (patterns: string[], flags: Flags) => {
      process.exitCode = await runLint(patterns, flags);
    });
  program
    .command('rules')
    .description('list the rules')
    .action(() => {
      process.stdout.write(renderRuleList([...ruleRegistry.values()]));
    });
  program
    .command('explain')
    .description('explain a rule: why it leaks, how to fix it, an example')
    .argument('<rule>', 'rule id')
    .action((id: string) => {
      const rule = ruleRegistry.get(id);
      if (!rule) throw new UsageError(`unknown rule id "${id}" (see: goleak-lint rules)`);
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

async function runLint(patterns: string[], flags: Flags): Promise<number> {
  let goVersion;
  if (flags.go !== undefined) {
    goVersion = parseGoVersion(flags.go);
    if (!goVersion) throw new UsageError(`--go: "${flags.go}" is not a Go version such as 1.21`);
  }
  const cwd = process.cwd();
  const result = await lint({
    patterns,
    cwd,
    enable: flags.enable,
    disable: flags.disable,
    goVersion: goVersion ?? undefined,
    tests: flags.tests,
    generated: flags.generated,
    reportUnusedIgnores: flags.reportUnusedIgnores,
    jobs: flags.jobs,
    cacheDir: flags.cache === false ? undefined : path.resolve(flags.cacheDir ?? defaultCacheDir()),
  });
  for (const w of result.warnings) process.stderr.write(`${TOOL_NAME}: warning: ${w}\n`);
  for (const e of result.internalErrors) process.stderr.write(`${TOOL_NAME}: internal error: ${e}\n`);
  const report = render(result, flags, cwd);
  if (flags.output) writeOutput(flags.output, report);
  else process.stdout.write(report);
  if (result.internalErrors.length) return EXIT.error;
  const open = result.findings.some((f) => !f.suppression);
  return open && !flags.exitZero ? EXIT.findings : EXIT.clean;
}

function writeOutput(file: string, report: string): void {
  try {
    writeFileSync(file, report);
  } catch (err) {
    throw new UsageError(`--output ${file}: cannot write: ${describeFsError(err)}`);
  }
}

function render(result: LintResult, flags: Flags, cwd: string): string {
  switch (flags.format) {
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, cwd);
    default:
      return renderText(result, useColor(flags));
  }
}

function useColor(flags: Flags): boolean {
  if (flags.color === 'always') return true;
  if (flags.color === 'never' || flags.output) return false;
  return !process.env.NO_COLOR && process.stdout.isTTY === true;
}

async function main(argv: string[]): Promise<void> {
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
