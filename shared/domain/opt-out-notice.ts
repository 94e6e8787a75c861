import type { Patient } from './model.js';

/**
 * CTIA: a program's first text to a person says how to opt out, and so do texts "regularly" after
 * that. Offers are the texts that can come first, so an offer carries the opt-out words when the
 * patient has never been told, or not for this long. Any text that says it (the welcome, HELP, an
 * answer) counts as telling.
 */
export const OPT_OUT_REMINDER_DAYS = 30;

/** A text that tells the patient how to opt out (English or Spanish wording). */
export const SAYS_HOW_TO_OPT_OUT = /\bSTOP (?:to opt out|para salir)\b/;

/** True when the next offer must say how to opt out: never told, or not in the last 30 days. */
export function needsOptOutHint(patient: Pick<Patient, 'optOutToldAt'>, now: string): boolean {
  if (!patient.optOutToldAt) return true;
  return Date.parse(now) - Date.parse(patient.optOutToldAt) >= OPT_OUT_REMINDER_DAYS * 86_400_000;
}
