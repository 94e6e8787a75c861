// Deep import on purpose: the package root pulls in every Twilio API (3.75 MB minified, ~118 ms of cold
// start); this file alone is about 4 KB. Webhook functions must import only this module from twilio.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';

/** Raised for a missing auth token: an empty HMAC key would make every forged signature computable. */
export class TwilioAuthTokenMissingError extends Error {
  override readonly name = 'TwilioAuthTokenMissingError';
}

/**
 * True when `signature` (the X-Twilio-Signature header) is Twilio's HMAC-SHA1 over `url` and `params`.
 * `url` must be the exact URL configured in Twilio (public host, base path, query string), not the path
 * the Lambda saw. Comparison is constant-time inside the SDK.
 */
export function isValidTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Readonly<Record<string, string>>,
): boolean {
  if (authToken === '') throw new TwilioAuthTokenMissingError('Twilio auth token is not configured');
  if (!signature) return false;
  return validateRequest(authToken, signature, url, { ...params });
}
