import { describe, expect, it } from 'vitest';
import { clipToSeptets, isGsm7, nonGsm7Characters, segmentInfo, toGsm7 } from '../shared/domain/gsm7.js';

// The GSM 03.38 basic table by code point 0x00-0x7F, written out independently of the module under test
// (0x1B, the escape, is not a character of its own).
// biome-ignore format: one row per 16 code points, as the standard prints it
const BASIC_BY_CODE = [
  '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
  'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', null, 'Æ', 'æ', 'ß', 'É',
  ' ', '!', '"', '#', '¤', '%', '&', "'", '(', ')', '*', '+', ',', '-', '.', '/',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
  '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
  'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
  '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
] as const;
const EXTENSION = ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];

describe('isGsm7', () => {
  it('accepts every character of the basic and extension tables', () => {
    expect(BASIC_BY_CODE).toHaveLength(128);
    for (const ch of BASIC_BY_CODE) {
      if (ch !== null) expect(isGsm7(ch), JSON.stringify(ch)).toBe(true);
    }
    for (const ch of EXTENSION) expect(isGsm7(ch), JSON.stringify(ch)).toBe(true);
  });

  it.each([
    ['em dash', '\u2014'],
    ['en dash', '\u2013'],
    ['curly apostrophe', '\u2019'],
    ['curly double quote', '\u201C'],
    ['emoji', '👍'],
    ['ellipsis', '\u2026'],
    ['no-break space', '\u00A0'],
    ['e with diaeresis', 'ë'],
    ['a with acute (not in the table)', 'á'],
    ['backtick', '`'],
    ['escape itself', '\u001B'],
    ['tab', '\t'],
  ])('rejects %s', (_name, ch) => {
    expect(isGsm7(`Hello ${ch}`)).toBe(false);
    expect(nonGsm7Characters(`Hello ${ch} ${ch}`)).toEqual([ch]);
  });
});

describe('segmentInfo', () => {
  it('counts GSM-7 up to 160 as one segment, then 153 a segment', () => {
    expect(segmentInfo('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentInfo('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(segmentInfo('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(segmentInfo('a'.repeat(307))).toEqual({ encoding: 'GSM-7', units: 307, segments: 3 });
  });

  it('counts extension characters as two septets', () => {
    expect(segmentInfo('€')).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    expect(segmentInfo(`${'a'.repeat(158)}[`)).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentInfo(`${'a'.repeat(159)}[`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
  });

  it('never splits an escape sequence across segments', () => {
    // 152 septets, then "{" (2) would straddle the 153 boundary: it moves to segment 2.
    const text = `${'a'.repeat(152)}{${'a'.repeat(152)}`;
    expect(segmentInfo(text).units).toBe(306);
    expect(segmentInfo(text).segments).toBe(3);
  });

  it('switches the whole message to UCS-2 for one non-GSM character', () => {
    expect(segmentInfo(`${'a'.repeat(69)}\u2014`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(segmentInfo(`${'a'.repeat(70)}\u2014`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(segmentInfo(`${'a'.repeat(133)}\u2014`)).toEqual({ encoding: 'UCS-2', units: 134, segments: 2 });
    expect(segmentInfo(`${'a'.repeat(134)}\u2014`)).toEqual({ encoding: 'UCS-2', units: 135, segments: 3 });
  });

  it('counts emoji as two UTF-16 units and never splits a surrogate pair', () => {
    expect(segmentInfo('👍')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
    const text = `${'a'.repeat(66)}👍${'a'.repeat(66)}`;
    expect(segmentInfo(text)).toEqual({ encoding: 'UCS-2', units: 134, segments: 3 });
  });

  it('counts an empty body as one segment', () => {
    expect(segmentInfo('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 1 });
  });
});

describe('toGsm7', () => {
  it('replaces typographic characters with GSM look-alikes', () => {
    expect(toGsm7('O\u2019Brien \u2014 \u201CMain\u201D\u2026')).toBe('O\'Brien - "Main"...');
  });

  it('drops accents that the table lacks and keeps those it has', () => {
    expect(toGsm7('Zoë Núñez Renée')).toBe('Zoe Nuñez Renée');
  });

  it('marks what it cannot convert', () => {
    expect(toGsm7('Hi 👍 Łukasz')).toBe('Hi ? ?ukasz');
    expect(isGsm7(toGsm7('any \u{1F600} text \u4E2D'))).toBe(true);
  });
});

describe('clipToSeptets', () => {
  it('clips by septets, not characters', () => {
    expect(clipToSeptets('abc', 2)).toBe('ab');
    expect(clipToSeptets('a€b', 3)).toBe('a€');
    expect(clipToSeptets('a€b', 2)).toBe('a');
  });
});
