/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet and SMS segment arithmetic. Hand-written because no
 * maintained package is installed and the table is small. A single character outside the alphabet (an
 * em dash, a curly quote, an emoji) turns the whole message into UCS-2: 70 characters a segment instead of
 * 160, and about three times the cost, so templates are checked against this table in tests and at render.
 */

/** The 127 printable characters of the basic table (0x1B, the escape to the extension table, is left out). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: each costs two septets (ESC + code). */
const EXTENSION = '\f^{}\\[~]|€';

const basicSet: ReadonlySet<string> = new Set(BASIC);
const extensionSet: ReadonlySet<string> = new Set(EXTENSION);

export const GSM7_SINGLE_SEGMENT = 160;
/** Concatenated messages spend 7 septets of each segment on the UDH. */
export const GSM7_MULTI_SEGMENT = 153;
export const UCS2_SINGLE_SEGMENT = 70;
export const UCS2_MULTI_SEGMENT = 67;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  encoding: SmsEncoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  /** SMS segments billed; an empty body still counts as one. */
  segments: number;
}

/** True when every character is in the GSM-7 basic or extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) {
    if (!basicSet.has(ch) && !extensionSet.has(ch)) return false;
  }
  return true;
}

/** Characters that force UCS-2, each listed once, in order of first appearance (for error messages). */
export function nonGsm7Characters(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) {
    if (!basicSet.has(ch) && !extensionSet.has(ch)) found.add(ch);
  }
  return [...found];
}

export function segmentInfo(text: string): SegmentInfo {
  if (isGsm7(text)) {
    // An escape sequence cannot be split across two segments, so pack greedily instead of dividing.
    const costs = [...text].map((ch) => (extensionSet.has(ch) ? 2 : 1));
    const units = costs.reduce((a, b) => a + b, 0);
    return {
      encoding: 'GSM-7',
      units,
      segments: units <= GSM7_SINGLE_SEGMENT ? 1 : pack(costs, GSM7_MULTI_SEGMENT),
    };
  }
  // UCS-2 (really UTF-16 on modern handsets): a surrogate pair cannot be split across segments either.
  const costs = [...text].map((ch) => ch.length);
  const units = text.length;
  return {
    encoding: 'UCS-2',
    units,
    segments: units <= UCS2_SINGLE_SEGMENT ? 1 : pack(costs, UCS2_MULTI_SEGMENT),
  };
}

function pack(costs: number[], perSegment: number): number {
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > perSegment) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

/**
 * Look-alike replacements for characters people paste into names and settings (Word's curly quotes,
 * dashes, non-breaking spaces). Letters with accents outside the table lose the accent (Zoë -> Zoe).
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u2032': "'",
  '\u02BC': "'",
  '`': "'",
  '\u00B4': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u00AB': '"',
  '\u00BB': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u2007': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
  '\t': ' ',
};

/**
 * Best-effort conversion to GSM-7 for values the system does not control (names typed by staff).
 * Characters that have no reasonable stand-in are replaced by "?" rather than dropped, so a mangled name
 * is visible instead of silently shortened.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (basicSet.has(ch) || extensionSet.has(ch)) {
      out += ch;
      continue;
    }
    const replacement = REPLACEMENTS[ch];
    if (replacement !== undefined) {
      out += replacement;
      continue;
    }
    const stripped = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out += stripped !== '' && isGsm7(stripped) ? stripped : '?';
  }
  return out;
}

/**
 * The longest prefix of a GSM-7 `text` that costs at most `maxSeptets` (extension characters cost 2), so
 * a field limit holds in septets, not just characters.
 */
export function clipToSeptets(text: string, maxSeptets: number): string {
  let used = 0;
  let out = '';
  for (const ch of text) {
    used += extensionSet.has(ch) ? 2 : 1;
    if (used > maxSeptets) break;
    out += ch;
  }
  return out;
}
