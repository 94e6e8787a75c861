import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `vite` (dev server) forwards API calls: the local stack's gateway. */
const localStack = process.env.DASHBOARD_API_PROXY ?? 'http://localhost:3000';

/**
 * The dev server injects CSS as <style> elements for hot reload, which the page's strict CSP
 * (style-src 'self') rightly blocks. Drop the meta tag in dev only; the built files keep it, and the
 * browser tests run against the build.
 */
function devWithoutCspMeta(): Plugin {
  return {
    name: 'dev-without-csp-meta',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

// `vite build dashboard` or `vite build --config dashboard/vite.config.ts` both land in dashboard/dist.
export default defineConfig({
  root,
  // Relative asset URLs: the same files work at the CloudFront root and under the local gateway.
  base: './',
  plugins: [devWithoutCspMeta()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The preload polyfill would be the only script not loaded from a file: keep CSP trivially strict.
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    port: 5173,
    strictPort: true,
    // Same-origin in dev as under the gateway, so config.json's apiUrl stays '' and no CORS is involved.
    proxy: Object.fromEntries(['/admin', '/local', '/sim'].map((path) => [path, localStack])),
  },
});
