import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// `vite build dashboard` or `vite build --config dashboard/vite.config.ts` both land in dashboard/dist.
export default defineConfig({
  root,
  // Relative asset URLs: the same files work at the CloudFront root and under the local gateway.
  base: './',
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
