/** A mistake in how goleak-lint was called (bad pattern, flag or rule id): exit code 2, one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}
