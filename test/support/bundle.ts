import { build } from 'esbuild';
import {
  EXTERNAL_MODULES,
  MAIN_FIELDS,
  NODE_TARGET,
  REQUIRE_SHIM_BANNER,
} from '../../lib/constructs/function-bundling.js';

/**
 * Bundles one entry the way `BackfillFunction` ships it (ESM, minified, the SDK bundled, external
 * source map), for the bundle test and `npm run bench:bundles`. CDK's `NodejsFunction` runs esbuild
 * with the same settings from lib/constructs/function-bundling.ts.
 */
export async function bundleAsShipped(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    sourcemap: 'external',
    mainFields: MAIN_FIELDS,
    external: EXTERNAL_MODULES,
    banner: { js: REQUIRE_SHIM_BANNER },
    logLevel: 'error',
  });
}
