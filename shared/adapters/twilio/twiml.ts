/**
 * The webhook's answer as TwiML: replying inside the webhook response costs no extra API call and no
 * extra round trip. Without a message it is an empty <Response/>, which tells Twilio "nothing to send".
 */

export const TWIML_CONTENT_TYPE = 'text/xml';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  // Control characters other than tab/LF/CR are not allowed in XML 1.0 at all; drop them.
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the characters XML forbids is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch)
  );
}

export function twiml(message?: string): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  if (message === undefined || message === '') return `${head}<Response/>`;
  return `${head}<Response><Message>${escapeXml(message)}</Message></Response>`;
}

/** An HTTP API v2 result carrying TwiML. */
export function twimlResponse(message?: string): {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
} {
  return { statusCode: 200, headers: { 'Content-Type': TWIML_CONTENT_TYPE }, body: twiml(message) };
}
