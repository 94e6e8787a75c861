import { build } from 'esbuild';

const r = await build({
  entryPoints: [process.argv[2]],
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
});
const out = Object.values(r.metafile.outputs)[0];
const re = new RegExp(process.argv[3]);
const rows = Object.entries(out.inputs)
  .filter(([p]) => re.test(p))
  .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  .slice(0, 40);
for (const [p, v] of rows)
  console.log(String(v.bytesInOutput).padStart(7), p.replace(/.*node_modules\//, ''));
// who imports nested-clients
for (const [p, inp] of Object.entries(r.metafile.inputs))
  for (const i of inp.imports)
    if (re.test(i.path) && !re.test(p))
      console.log(
        'IMPORTER',
        p.replace(/.*node_modules\//, ''),
        '->',
        i.path.replace(/.*node_modules\//, ''),
        i.kind,
      );
