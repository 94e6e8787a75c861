import { assertSingleSegment, type Brand, fitField } from '../domain/templates.js';

/**
 * The optional welcome text sent when staff add a patient. It lives here rather than in the engine's
 * templates because only the admin API sends it; it follows the same rules (clinic short name only,
 * HELP/STOP instructions, one GSM-7 segment, checked at render time).
 */
export function welcomeText(brand: Brand): string {
  return assertSingleSegment(
    `${fitField(brand.clinicName, 'clinicName')}: You're on our waitlist for an earlier visit. We'll text you when one opens. Reply HELP for help, STOP to opt out.`,
  );
}
