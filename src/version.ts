import { readFileSync } from 'node:fs';

/** The package's own version, read from package.json beside dist/. */
export const TOOL_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

export const TOOL_NAME = 'goleak-lint';

/**
 * Where SARIF viewers send people who want to know more about the tool (`informationUri`):
 * null until the project has a public address, and then left out of SARIF.
 */
export const TOOL_HOMEPAGE: string | null = null;
