/**
 * Collects the messages of process warnings (GIO's g_warning, see proxyWarning) emitted while
 * `fn` runs. Warnings are delivered on a later tick, hence the wait before the listener goes.
 */
export async function captureWarnings<T>(
  fn: () => T | Promise<T>,
): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'GioWarning') warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  try {
    const result = await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}
