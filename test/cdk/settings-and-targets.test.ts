import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../lib/settings.js';
import { resourcesOfType, type Synthesized, synthBackfill } from './synth.js';

const settingsFrom = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
  readSettings(new App({ context }).node, env);

describe('settings', () => {
  it('reads clinic settings from context before the environment and passes them as strings', () => {
    const { clinicEnvironment } = settingsFrom(
      { BATCH_SIZE: 5, CLINIC_TIME_ZONE: 'America/Denver' },
      { BATCH_SIZE: '9', HOLD_MINUTES: '12' },
    );
    expect(clinicEnvironment).toMatchObject({
      BATCH_SIZE: '5',
      HOLD_MINUTES: '12',
      CLINIC_TIME_ZONE: 'America/Denver',
      CONTACT_HOURS_START: '08:00',
    });
  });

  it('fails synth with every bad value named, using the functions’ own schema', () => {
    const attempt = () => settingsFrom({ BATCH_SIZE: 0, CLINIC_TIME_ZONE: 'Mars/Olympus' });
    expect(attempt).toThrow(SettingsError);
    expect(attempt).toThrow(/BATCH_SIZE[\s\S]*CLINIC_TIME_ZONE|CLINIC_TIME_ZONE[\s\S]*BATCH_SIZE/);
  });

  it('rejects a custom dashboard domain without its certificate, and a bad alert address', () => {
    expect(() => settingsFrom({ DASHBOARD_DOMAIN_NAME: 'waitlist.example.org' })).toThrow(
      /DASHBOARD_DOMAIN_NAME/,
    );
    expect(() => settingsFrom({ ALERT_EMAIL: 'not-an-address' })).toThrow(/ALERT_EMAIL/);
    expect(() => settingsFrom({ LOG_RETENTION_DAYS: 42 })).toThrow(/LOG_RETENTION_DAYS/);
  });

  it('a deployment setting left blank in a sourced .env means its default, as for clinic settings', () => {
    const { deployment, clinicEnvironment } = settingsFrom(
      {},
      { APP_NAME: '', LOG_RETENTION_DAYS: '', API_RATE_LIMIT: ' ', DEPLOY_TARGET: '', BATCH_SIZE: '' },
    );
    expect(deployment).toMatchObject({
      APP_NAME: 'ClinicBackfill',
      LOG_RETENTION_DAYS: 365,
      API_RATE_LIMIT: 50,
      DEPLOY_TARGET: 'aws',
    });
    expect(clinicEnvironment.BATCH_SIZE).toBe('3');
  });

  it('never passes the Twilio auth token as a plain variable', () => {
    const { clinicEnvironment } = settingsFrom({}, { TWILIO_AUTH_TOKEN: 'secret-value' });
    expect(Object.values(clinicEnvironment)).not.toContain('secret-value');
  });
});

describe('custom dashboard domain', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthBackfill({
      DASHBOARD_DOMAIN_NAME: 'waitlist.example.org',
      DASHBOARD_CERTIFICATE_ARN: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      APP_NAME: 'Riverside',
    });
  });

  it('enforces TLSv1.2_2021 with the certificate and uses the domain for the callback URL', () => {
    const distribution = resourcesOfType(
      synth.template('stateless'),
      'AWS::CloudFront::Distribution',
    )[0]?.[1];
    expect(distribution?.Properties).toMatchObject({
      DistributionConfig: {
        Aliases: ['waitlist.example.org'],
        ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      },
    });
    synth.template('stateless').hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://waitlist.example.org/'],
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
    });
  });

  it('prefixes stack, function and schedule group names with APP_NAME', () => {
    expect(synth.stateful.stackName).toBe('Riverside-Stateful');
    synth
      .template('stateless')
      .hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Riverside-offers' });
    synth.template('stateless').hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Riverside-scheduler-target',
    });
  });
});

describe('DEPLOY_TARGET=localstack', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthBackfill({ DEPLOY_TARGET: 'localstack' });
  });

  it('leaves out the paid-tier services (HTTP API, CloudFront, Cognito) and keeps the rest', () => {
    const types = new Set(
      (['stateful', 'stateless'] as const).flatMap((s) =>
        Object.values(synth.template(s).toJSON().Resources as Record<string, { Type: string }>).map(
          (r) => r.Type,
        ),
      ),
    );
    for (const paid of [
      'AWS::ApiGatewayV2::Api',
      'AWS::CloudFront::Distribution',
      'AWS::Cognito::UserPool',
    ]) {
      expect(types).not.toContain(paid);
    }
    for (const free of [
      'AWS::DynamoDB::Table',
      'AWS::Lambda::Function',
      'AWS::Scheduler::ScheduleGroup',
      'AWS::SQS::Queue',
      'AWS::SecretsManager::Secret',
      'AWS::KMS::Key',
    ]) {
      expect(types).toContain(free);
    }
    expect(Object.keys(synth.stateless.functions)).toHaveLength(4);
  });
});
