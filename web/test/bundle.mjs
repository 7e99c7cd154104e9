// The browser client's TypeScript modules bundled for Node, for the tests that need no browser:
// `await bundled("export * from './src/crypto/keys';")` gives the module those exports make
// (paths from web/). Bundled into a temporary folder that is gone once the module is loaded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function bundled(exports) {
  const dir = mkdtempSync(join(tmpdir(), 'liaise-web-bundle-'));
  try {
    const out = join(dir, 'bundle.mjs');
    await build({
      stdin: { contents: exports, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
      bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'warning',
    });
    return await import(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
