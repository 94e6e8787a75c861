import { type App, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';

/**
 * cdk-nag 3 runs as a policy-validation plugin: findings go to `<outdir>/validation-report.json` and
 * synth fails on any unacknowledged error, so `cdk synth` in CI is the compliance gate. Acknowledgements
 * sit next to the resource they concern (in lib/constructs); only findings that apply to every stack
 * are acknowledged here.
 */
export function applyComplianceChecks(app: App, stacks: readonly Stack[]): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  for (const stack of stacks) {
    Validations.of(stack).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        'CDK grants render as AWS::IAM::Policy resources attached to one role each, created and deleted with the resources they name; customer-managed policies would outlive those resources and be shareable.',
    });
  }
}
