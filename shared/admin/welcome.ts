import type { Language } from '../domain/model.js';
import { type Brand, templatesFor } from '../domain/templates.js';

/**
 * The optional welcome text sent when staff add a patient, in the patient's language. Only the admin API
 * sends it; it follows the rules of every template (clinic short name only, HELP/STOP instructions, one
 * GSM-7 segment, checked at render time).
 */
export function welcomeText(brand: Brand, language?: Language): string {
  return templatesFor(language).welcome(brand);
}
