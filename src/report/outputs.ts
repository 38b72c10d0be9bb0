import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { describeFsError } from '../load.js';
import type { LintResult } from '../lint.js';
import type { Shard } from '../shard.js';
import { renderCheckstyle } from './checkstyle.js';
import { renderCodeClimate } from './code-climate.js';
import { renderGithub } from './github.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { repositoryRoot, rootRelative } from './repository.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'json', 'sarif', 'github', 'checkstyle', 'code-climate', 'junit', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** One report of a run: a format, and the file it goes to (stdout when absent). */
export interface Output {
  format: Format;
  file?: string;
  /** How the user asked for it, for error messages: `--format sarif:x.sarif`, `--output x`. */
  flag: string;
}

/** A `--format` value, `FORMAT` or `FORMAT:FILE` (as golangci-lint v2 has them); null when malformed. */
export function parseOutput(value: string): Output | null {
  const colon = value.indexOf(':');
  const format = colon === -1 ? value : value.slice(0, colon);
  const file = colon === -1 ? undefined : value.slice(colon + 1);
  if (!(FORMATS as readonly string[]).includes(format) || file === '') return null;
  return { format: format as Format, file, flag: `--format ${value}` };
}

/**
 * The reports a run writes: the `--format`s given (text when none), at most one of them
 * to stdout; `--output` names the file for that one. Checked before anything is linted.
 */
export function planOutputs(formats: Output[], output?: string): Output[] {
  const outputs = formats.length ? formats.map((o) => ({ ...o })) : [{ format: 'text' as const, flag: '--format text' }];
  const toStdout = outputs.filter((o) => o.file === undefined);
  if (toStdout.length > 1) {
    throw new UsageError(
      `--format: ${toStdout.map((o) => o.format).join(' and ')} would ${toStdout.length === 2 ? 'both' : 'all'} go to stdout; give all but one a file, as in --format ${toStdout[1].format}:FILE`,
    );
  }
  if (output !== undefined) {
    if (!toStdout.length) throw new UsageError(`--output ${output}: every --format names its own file; leave --output out`);
    Object.assign(toStdout[0], { file: output, flag: `--output ${output}` });
  }
  const seen = new Map<string, Output>();
  for (const o of outputs) {
    if (o.file === undefined) continue;
    const key = path.resolve(o.file);
    const other = seen.get(key);
    if (other) throw new UsageError(`${o.flag}: ${other.flag} writes the same file`);
    seen.set(key, o);
  }
  return outputs;
}

export interface RenderOptions {
  cwd: string;
  /** Whether text output to stdout, or to a file, is coloured. */
  color: (toFile: boolean) => boolean;
  shard?: Shard;
}

/** Renders every output, then writes the files and only then stdout: a file that cannot be written leaves stdout empty. */
export function writeOutputs(outputs: Output[], result: LintResult, options: RenderOptions): void {
  let stdout = '';
  for (const o of outputs) {
    const report = render(o, result, options);
    if (o.file === undefined) {
      stdout = report;
      continue;
    }
    try {
      // As eslint's --output-file does: a report path in a directory not made yet (`reports/x.sarif`) is made.
      mkdirSync(path.dirname(o.file), { recursive: true });
      writeFileSync(o.file, report);
    } catch (err) {
      throw new UsageError(`${o.flag}: cannot write: ${describeFsError(err)}`);
    }
  }
  process.stdout.write(stdout);
}

function render(o: Output, result: LintResult, options: RenderOptions): string {
  const { cwd } = options;
  // The CI formats locate findings from the repository root, as code scanning and GitLab resolve them.
  const root = repositoryRoot(cwd);
  const fromRoot = rootRelative(root, cwd);
  switch (o.format) {
    case 'text':
      return renderText(result, options.color(o.file !== undefined));
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, root, fromRoot, options.shard);
    case 'github':
      return renderGithub(result, fromRoot);
    case 'checkstyle':
      return renderCheckstyle(result, fromRoot);
    case 'code-climate':
      return renderCodeClimate(result, fromRoot);
    case 'junit':
      return renderJunit(result, fromRoot);
    case 'html':
      return renderHtml(result, { cwd, path: fromRoot });
  }
}
