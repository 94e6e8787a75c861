import { makeClinicOn } from './clinic-fixture.js';
import { freshTable } from './table.js';

export { TUESDAY_10AM, ZONE } from './clinic-fixture.js';

/** A clinic on its own fresh table of the test run's DynamoDB Local. */
export async function makeClinic(overrides: Partial<Record<string, string>> = {}) {
  const table = await freshTable('engine');
  return { ...table, ...(await makeClinicOn(table, overrides)) };
}
