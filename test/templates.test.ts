import { describe, expect, it } from 'vitest';
import { isGsm7, segmentInfo } from '../shared/domain/gsm7.js';
import { classifyReply } from '../shared/domain/reply-intent.js';
import {
  assertSingleSegment,
  type Brand,
  FIELD_LIMITS,
  fitField,
  type OfferDetails,
  type TemplateName,
  TemplateTooLongError,
  templates,
} from '../shared/domain/templates.js';

// Worst cases validation allows: every field at its limit, widest letters, a two-digit day and hour.
const brand: Brand = {
  clinicName: 'W'.repeat(FIELD_LIMITS.clinicName),
  contactPhone: '+1 (555) 555-0100 x99'.slice(0, FIELD_LIMITS.contactPhone),
};
// Sep 30 2026 is a Wednesday; 17:30Z is 12:30PM in Chicago: "Wed Sep 30 12:30PM", the longest rendering.
const offer: OfferDetails = {
  firstName: 'F'.repeat(FIELD_LIMITS.firstName),
  providerName: 'P'.repeat(FIELD_LIMITS.providerName),
  locationName: 'L'.repeat(FIELD_LIMITS.locationName),
  startAt: '2026-09-30T17:30:00Z',
  timeZone: 'America/Chicago',
  holdExpiresAt: '2026-09-30T17:30:00Z',
};
const surname = 'Zyxwvutsrqponmlkjihg';
const patientWithSurname = { ...offer, familyName: surname } as OfferDetails;

const render: Record<TemplateName, () => string> = {
  offer: () => templates.offer(brand, patientWithSurname),
  confirmed: () => templates.confirmed(brand, patientWithSurname),
  taken: () => templates.taken(brand),
  closed: () => templates.closed(brand),
  withdrawn: () => templates.withdrawn(brand),
  declined: () => templates.declined(brand),
  noOffer: () => templates.noOffer(brand),
  help: () => templates.help(brand),
  optedOut: () => templates.optedOut(brand),
  optedIn: () => templates.optedIn(brand),
  unknown: () => templates.unknown(brand),
};

describe('templates with worst-case values', () => {
  it('covers every template', () => {
    expect(Object.keys(render).sort()).toEqual(Object.keys(templates).sort());
  });

  it.each(Object.entries(render))('%s is one GSM-7 segment, with no surname and no "cancel"', (_name, fn) => {
    const text = fn();
    expect(isGsm7(text)).toBe(true);
    expect(segmentInfo(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(text.length).toBeLessThanOrEqual(160);
    expect(text).not.toMatch(/cancel/i);
    expect(text).not.toContain(surname);
    expect(text).not.toMatch(/[\u2018\u2019\u201C\u201D\u2013\u2014]/);
    expect(text.startsWith(brand.clinicName)).toBe(true);
  });

  it('renders the worst-case date', () => {
    expect(render.offer()).toContain('Wed Sep 30 12:30PM');
  });

  it('offer names provider, place, time, YES and the hold; not the first name', () => {
    const text = render.offer();
    expect(text).toContain(offer.providerName);
    expect(text).toContain(offer.locationName);
    expect(text).toContain('Reply YES');
    expect(text).not.toContain(offer.firstName);
  });

  it('STOP reply has the brand and "no further messages"', () => {
    expect(render.optedOut()).toContain(brand.clinicName);
    expect(render.optedOut()).toContain('no further messages');
  });

  it('HELP reply has the brand, the contact number and "Reply STOP to opt out"', () => {
    const text = render.help();
    expect(text).toContain(brand.clinicName);
    expect(text).toContain(brand.contactPhone);
    expect(text).toContain('Reply STOP to opt out');
  });

  it('a reply that only quotes a template back is never read as an answer', () => {
    // If a template ever reads as YES on its own, a copy-paste or a reaction format we do not know yet
    // would claim a slot.
    for (const [name, fn] of Object.entries(render)) {
      expect(classifyReply(`Liked \u201C${fn()}\u201D`).intent, name).toBe('UNKNOWN');
    }
  });
});

describe('values outside the limits or the alphabet', () => {
  const hostile: Brand = {
    clinicName: 'Clínica “Santa Zoë” — Centro Médico Norte',
    contactPhone: '+1 555 555 0100 ext 12345',
  };
  const hostileOffer: OfferDetails = {
    ...offer,
    providerName: 'Dr. Łukasz O\u2019Brien-Ñúñez 👩‍⚕️ the third',
    locationName: '{[Main]} €€€€€€€€€€€€€€€€€€€€€€€€',
  };

  it.each(Object.keys(templates) as TemplateName[])('%s still renders one GSM-7 segment', (name) => {
    const text =
      name === 'offer' || name === 'confirmed'
        ? templates[name](hostile, hostileOffer)
        : templates[name](hostile);
    expect(segmentInfo(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('fitField clips to the limit in septets', () => {
    expect(fitField('€'.repeat(30), 'locationName')).toBe('€'.repeat(12));
    expect(fitField('  Main \n  St  ', 'locationName')).toBe('Main St');
  });

  it('refuses an invalid time rather than texting "Invalid DateTime"', () => {
    expect(() => templates.offer(brand, { ...offer, startAt: 'not a date' })).toThrow(RangeError);
  });
});

describe('assertSingleSegment', () => {
  it('passes 160 GSM-7 characters', () => {
    expect(assertSingleSegment('a'.repeat(160))).toHaveLength(160);
  });

  it('throws for 161 characters', () => {
    expect(() => assertSingleSegment('a'.repeat(161))).toThrow(TemplateTooLongError);
  });

  it('throws for a short text with one non-GSM character and names it, not the text', () => {
    const error = (() => {
      try {
        assertSingleSegment('Hi Ana \u2014 see you');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TemplateTooLongError);
    expect((error as TemplateTooLongError).badCharacters).toEqual(['\u2014']);
    expect((error as Error).message).not.toContain('Ana');
  });

  it('counts extension characters double', () => {
    expect(() => assertSingleSegment(`${'a'.repeat(159)}€`)).toThrow(TemplateTooLongError);
  });
});
