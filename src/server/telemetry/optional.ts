/**
 * Optional peer packages (prom-client, @opentelemetry/api), loaded only when used. The name is a
 * variable and the import marked for webpack, so that bundlers (Next.js) leave it to Node at run
 * time instead of failing the build when the package is not installed.
 */
export async function importOptional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
