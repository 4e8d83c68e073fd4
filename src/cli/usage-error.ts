/** A command-line mistake: printed as `gsocketclient: <message>` with a --help hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
