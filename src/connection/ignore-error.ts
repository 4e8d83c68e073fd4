/**
 * The 'error' listener of a socket the library still owns but no longer reads from (a loser, a
 * socket after its outcome is known): an 'error' event without any listener would crash the
 * process. One shared function rather than a fresh closure per socket.
 */
export function ignoreError(): void {
  // Nothing to do: the owner has already reported, or will report, the failure its own way.
}
