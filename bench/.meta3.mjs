import { build } from 'esbuild';

const ext = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  'bowser',
];
for (const f of ['sms-inbound', 'sms-status', 'scheduler-target', 'admin-api']) {
  const r = await build({
    entryPoints: [`functions/${f}/handler.ts`],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    write: false,
    metafile: true,
    outfile: '/tmp/x.mjs',
    logLevel: 'error',
    mainFields: ['module', 'main'],
    external: ext,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const out = Object.values(r.metafile.outputs)[0];
  const agg = {};
  for (const [p, v] of Object.entries(out.inputs)) {
    const m = p.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const k = m ? m[1] : p.split('/').slice(0, 2).join('/');
    agg[k] = (agg[k] || 0) + v.bytesInOutput;
  }
  console.log(
    f,
    out.bytes,
    Object.entries(agg)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 14)
      .map(([k, v]) => `${k}:${(v / 1024).toFixed(0)}`)
      .join(' '),
  );
}
