/**
 * Bundle-size benchmark: synthesizes the real app WITH esbuild bundling into a temporary outdir and
 * prints each function's minified bundle (index.mjs) and source map size. Goal: ≤ 400 KB per bundle,
 * because init time grows with the bytes Node must parse (see docs/deployment.md, "Cold start").
 *
 *   npm run bench:cdk-bundles          # exits 1 when a bundle is over the goal
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { defineBackfillApp } from '../lib/backfill-app.js';

const GOAL_BYTES = 400 * 1024;

interface Row {
  function: string;
  bundleKb: number;
  mapKb: number;
  files: number;
  withinGoal: boolean;
}

function main(): void {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundles-'));
  try {
    // The CLI normally sets this; without it the template carries no asset paths to measure.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const { stateless } = defineBackfillApp(app);
    const started = Date.now();
    const assembly = app.synth();
    const synthMs = Date.now() - started;

    const template = assembly.getStackArtifact(stateless.artifactId).template as {
      Resources: Record<
        string,
        { Type: string; Properties?: { Runtime?: string }; Metadata?: Record<string, string> }
      >;
    };
    const nameByLogicalId = new Map(
      Object.entries(stateless.functions).map(([name, fn]) => [
        stateless.getLogicalId(fn.node.defaultChild as CfnFunction),
        name,
      ]),
    );
    const rows: Row[] = [];
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function' || !resource.Properties?.Runtime?.startsWith('nodejs'))
        continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (!assetPath) continue;
      const dir = join(outdir, assetPath);
      const files = readdirSync(dir);
      const size = (name: string) => (files.includes(name) ? statSync(join(dir, name)).size : 0);
      const bundle = size('index.mjs');
      rows.push({
        function: nameByLogicalId.get(id) ?? id,
        bundleKb: Math.round(bundle / 102.4) / 10,
        mapKb: Math.round(size('index.mjs.map') / 102.4) / 10,
        files: files.length,
        withinGoal: bundle <= GOAL_BYTES,
      });
    }
    console.log(`synth with bundling: ${synthMs} ms, goal ≤ ${GOAL_BYTES / 1024} KB minified per function`);
    console.table(rows);
    const over = rows.filter((r) => !r.withinGoal);
    if (rows.length === 0) {
      console.error('no Node.js function assets found');
      process.exitCode = 1;
    } else if (over.length > 0) {
      console.error(`over the goal: ${over.map((r) => r.function).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main();
