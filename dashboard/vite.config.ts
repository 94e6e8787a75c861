import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const oidcFallback = fileURLToPath(new URL('./src/auth/oidc-client-missing.ts', import.meta.url));

/**
 * oidc-client-ts is only needed in Cognito mode and is not installed yet in every checkout. Until it is,
 * resolve it to a stub that fails loudly at sign-in, so the local build (and its tests) keep working and
 * the real library is picked up the moment `npm i oidc-client-ts` lands, with no code change.
 */
function optionalOidcClient(): Plugin {
  return {
    name: 'optional-oidc-client-ts',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source !== 'oidc-client-ts') return null;
      const real = await this.resolve(source, importer, { ...options, skipSelf: true });
      return real ?? oidcFallback;
    },
  };
}

// `vite build dashboard` or `vite build --config dashboard/vite.config.ts` both land in dashboard/dist.
export default defineConfig({
  root,
  // Relative asset URLs: the same files work at the CloudFront root and under the local gateway.
  base: './',
  plugins: [optionalOidcClient()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The preload polyfill would be the only script not loaded from a file: keep CSP trivially strict.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: { port: 5173, strictPort: true },
});
