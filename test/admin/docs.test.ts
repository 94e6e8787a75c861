import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { routeTableMarkdown } from '../../shared/admin/route-docs.js';

const DOC = new URL('../../docs/admin-api.md', import.meta.url);
const BEGIN =
  '<!-- routes:begin (generated from ADMIN_ROUTES; UPDATE_DOCS=1 npx vitest run test/admin/docs.test.ts) -->';
const END = '<!-- routes:end -->';

describe('docs/admin-api.md', () => {
  it('lists every route exactly as ADMIN_ROUTES declares it', async () => {
    const doc = await readFile(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start, 'route table markers').toBeGreaterThan(-1);
    const generated = `${BEGIN}\n\n${routeTableMarkdown()}\n\n${END}`;
    const current = doc.slice(start, end + END.length);
    if (process.env.UPDATE_DOCS === '1' && current !== generated) {
      await writeFile(DOC, doc.replace(current, generated));
      return;
    }
    expect(current).toBe(generated);
  });
});
