import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyComplianceChecks } from '../../lib/compliance.js';
import { type Synthesized, synthBackfill } from './synth.js';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface ValidationReport {
  pluginReports: { pluginName: string; conclusion: string; violations: Violation[] }[];
}

/** cdk-nag 3 writes findings to the assembly; Annotations.fromStack would re-synthesize and throw. */
const readReport = (outdir: string): ValidationReport =>
  JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;

const errorsIn = (report: ValidationReport) =>
  report.pluginReports.flatMap((p) =>
    p.violations
      .filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName} @ ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`),
  );

/** Our acknowledgements; ids with another plugin's prefix (CDK's own CloudFormation-Validate::…) are not ours. */
function acknowledgementsUnder(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      )
      .filter((ack) => !ack.id.includes('::')),
  );
}

describe('cdk-nag: AwsSolutions and HIPAA Security packs', () => {
  let synth: Synthesized;
  let synthError: unknown;

  beforeAll(() => {
    try {
      synth = synthBackfill({}, (app, stacks) =>
        applyComplianceChecks(app, [stacks.stateful, stacks.stateless]),
      );
    } catch (error) {
      // Synth throws on unacknowledged errors; the report says which.
      synthError = error;
    }
  });

  it('synthesizes with zero unacknowledged errors in either pack', () => {
    expect(synthError).toBeUndefined();
    expect(errorsIn(readReport(synth.outdir))).toEqual([]);
  });

  it('every acknowledgement names a real rule of the two packs and gives a specific reason', () => {
    const acks = acknowledgementsUnder(synth.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^(AwsSolutions-[A-Z]+\d+|HIPAA\.Security-[A-Za-z0-9]+)(\[.+\])?$/);
      // A reason is a sentence with a because in it, not "not needed".
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(60);
    }
    // Blanket acknowledgements of wildcard IAM are not allowed: each names the exact finding.
    expect(acks.filter((a) => a.id === 'AwsSolutions-IAM5')).toEqual([]);
  });

  it('the functions’ VPC, concurrency and DLQ exceptions are acknowledged per function, not per stack', () => {
    const stackLevel = acknowledgementsUnder(synth.stateless).filter(
      (a) => a.path === synth.stateless.node.path,
    );
    expect(stackLevel.map((a) => a.id)).toEqual(['HIPAA.Security-IAMNoInlinePolicy']);
  });
});

describe('cdk-nag wiring', () => {
  it('actually reports a violation (guards against the plugins silently not running)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-nag-probe-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Probe');
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    applyComplianceChecks(app, [stack]);
    expect(() => app.synth()).toThrow();
    const rules = readReport(outdir).pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS4']));
  });
});
