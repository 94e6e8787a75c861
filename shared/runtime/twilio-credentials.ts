import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { AppConfig } from '../config.js';

/**
 * The Twilio auth token: from Secrets Manager in AWS (cached by Powertools across invocations), from the
 * environment locally. There is no "skip signature check" setting: without a token, cold start fails.
 */
export async function resolveTwilioAuthToken(config: AppConfig): Promise<string> {
  if (config.TWILIO_AUTH_TOKEN) return config.TWILIO_AUTH_TOKEN;
  if (config.TWILIO_AUTH_TOKEN_SECRET_ARN) {
    const secret = await getSecret(config.TWILIO_AUTH_TOKEN_SECRET_ARN, { maxAge: 300 });
    if (typeof secret === 'string' && secret.length > 0) return secret;
  }
  throw new Error(
    'No Twilio auth token: set TWILIO_AUTH_TOKEN (local) or TWILIO_AUTH_TOKEN_SECRET_ARN (AWS) and store the token',
  );
}
