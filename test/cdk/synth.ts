import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type BackfillStacks, defineBackfillApp } from '../../lib/backfill-app.js';
import { readSettings } from '../../lib/settings.js';

export interface Synthesized extends BackfillStacks {
  readonly app: App;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  readonly stateful: BackfillStacks['stateful'];
  template(stack: 'stateful' | 'stateless'): Template;
}

/**
 * Synthesizes the real app once per test file. Bundling is skipped (templates only), and settings come
 * from the given context only, never from the developer's shell, so results do not depend on who runs.
 */
export function synthBackfill(
  context: Record<string, unknown> = {},
  before?: (app: App, stacks: BackfillStacks) => void,
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = defineBackfillApp(app, readSettings(app.node, {}));
  before?.(app, stacks);
  const assembly = app.synth();
  const templates = {
    stateful: Template.fromJSON(assembly.getStackArtifact(stacks.stateful.artifactId).template),
    stateless: Template.fromJSON(assembly.getStackArtifact(stacks.stateless.artifactId).template),
  };
  return { ...stacks, app, assembly, outdir, template: (which) => templates[which] };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>
>;

/** Resources of one type as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): [string, Resources[string]][] {
  return Object.entries(template.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);
}
