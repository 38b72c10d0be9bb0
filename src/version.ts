import { readFileSync } from 'node:fs';

/** The package's own version, read from package.json beside dist/. */
export const TOOL_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

export const TOOL_NAME = 'goleak-lint';

/** Where SARIF viewers send people who want to know more about the tool. */
export const TOOL_HOMEPAGE = 'https://www.npmjs.com/package/goleak-lint';
