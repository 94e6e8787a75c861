/**
 * GET /health, for uptime checks. Unauthenticated on purpose (a monitor has no staff token), so it says
 * only "the API and Lambda answer": no data, no version, no dependency status. It imports nothing and
 * creates no SDK client, so a check costs one tiny cold start at most and cannot reach the table.
 */
const BODY = '{"ok":true}';

export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: BODY,
});
