import { describe, expect, it } from 'vitest';
import { isGsm7, segmentInfo } from '../shared/domain/gsm7.js';
import { classifyReply } from '../shared/domain/reply-intent.js';
import {
  assertSingleSegment,
  type Brand,
  englishTemplates,
  FIELD_LIMITS,
  fitField,
  type MessageTemplates,
  type OfferDetails,
  spanishTemplates,
  type TemplateName,
  TemplateTooLongError,
  templates,
  templatesFor,
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

function renderAll(t: MessageTemplates): Record<TemplateName, () => string> {
  return {
    offer: () => t.offer(brand, patientWithSurname),
    confirmed: () => t.confirmed(brand, patientWithSurname),
    taken: () => t.taken(brand),
    closed: () => t.closed(brand),
    withdrawn: () => t.withdrawn(brand),
    declined: () => t.declined(brand),
    winnerChangedMind: () => t.winnerChangedMind(brand),
    wrongNumber: () => t.wrongNumber(brand),
    qualifiedYes: () => t.qualifiedYes(brand),
    noOffer: () => t.noOffer(brand),
    help: () => t.help(brand),
    paused: () => t.paused(brand, { until: offer.startAt, timeZone: offer.timeZone }),
    resumed: () => t.resumed(brand),
    status: () => t.status(brand, { onList: true, pausedUntil: offer.startAt, timeZone: offer.timeZone }),
    left: () => t.left(brand),
    optedOut: () => t.optedOut(brand),
    optedOutStillBooked: () => t.optedOutStillBooked(brand),
    optedIn: () => t.optedIn(brand),
    unknown: () => t.unknown(brand),
    welcome: () => t.welcome(brand),
  };
}

const LANGUAGES = [
  { language: 'English', t: englishTemplates },
  { language: 'Spanish', t: spanishTemplates },
] as const;

describe.each(LANGUAGES)('$language templates with worst-case values', ({ t }) => {
  const render = renderAll(t);

  it('covers every template', () => {
    expect(Object.keys(render).sort()).toEqual(Object.keys(t).sort());
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

  it('offer names provider, place and time; not the first name', () => {
    const text = render.offer();
    expect(text).toContain(offer.providerName);
    expect(text).toContain(offer.locationName);
    expect(text).not.toContain(offer.firstName);
  });

  it('HELP and STOP replies carry the brand; HELP the contact number and STOP', () => {
    expect(render.optedOut()).toContain(brand.clinicName);
    expect(render.help()).toContain(brand.clinicName);
    expect(render.help()).toContain(brand.contactPhone);
    expect(render.help()).toMatch(/STOP/);
  });

  it('a reply that only quotes a template back is never read as an answer', () => {
    // If a template ever reads as YES on its own, a copy-paste or a reaction format we do not know yet
    // would claim a slot.
    for (const [name, fn] of Object.entries(render)) {
      expect(classifyReply(`Liked \u201C${fn()}\u201D`).intent, name).toBe('UNKNOWN');
      expect(classifyReply(`Le gust\u00F3 \u201C${fn()}\u201D`).intent, name).toBe('UNKNOWN');
    }
  });
});

describe('English wording', () => {
  const render = renderAll(englishTemplates);

  it('renders the worst-case date', () => {
    expect(render.offer()).toContain('Wed Sep 30 12:30PM');
  });

  it('offer asks for YES and gives the hold', () => {
    expect(render.offer()).toContain('Reply YES');
    expect(render.offer()).toMatch(/Held till 12:30PM$/);
  });

  it('STOP reply says "no further messages"; HELP says "Reply STOP to opt out"', () => {
    expect(render.optedOut()).toContain('no further messages');
    expect(render.help()).toContain('Reply STOP to opt out');
  });
});

describe('Spanish wording', () => {
  const render = renderAll(spanishTemplates);

  it('writes the date with GSM-7 day and month names and the 12-hour clock', () => {
    expect(render.offer()).toContain('mie 30 sep 12:30pm');
    // Saturday: ICU would write "sáb", whose "á" is not GSM-7.
    const saturday = spanishTemplates.offer(brand, { ...offer, startAt: '2026-10-03T14:00:00Z' });
    expect(saturday).toContain('sab 3 oct 9:00am');
    // Tuesday in March: "mar 3 mar" would be ambiguous, so March is written out.
    const tuesday = spanishTemplates.offer(brand, { ...offer, startAt: '2026-03-03T20:30:00Z' });
    expect(tuesday).toContain('mar 3 marzo 2:30pm');
  });

  it('the longest Spanish date (Wednesday 31 March, 12:30pm) still fits every template', () => {
    const march = {
      ...patientWithSurname,
      startAt: '2027-03-31T17:30:00Z',
      holdExpiresAt: '2027-03-31T17:30:00Z',
    };
    for (const text of [spanishTemplates.offer(brand, march), spanishTemplates.confirmed(brand, march)]) {
      expect(text).toContain('mie 31 marzo 12:30pm');
      expect(segmentInfo(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    }
  });

  it('names a missing provider or location in Spanish too', () => {
    const text = spanishTemplates.confirmed(brand, {
      ...offer,
      providerName: undefined,
      locationName: undefined,
    });
    expect(text).toContain('con su proveedor en nuestro centro');
    expect(
      englishTemplates.confirmed(brand, { ...offer, providerName: undefined, locationName: undefined }),
    ).toContain('with your provider at our clinic');
  });

  it('offer asks for SI or NO, and both read as answers when sent back alone', () => {
    expect(render.offer()).toContain('SI para reservar, NO para pasar');
    expect(classifyReply('SI').intent).toBe('CLAIM');
    expect(classifyReply('Sí').intent).toBe('CLAIM');
    expect(classifyReply('NO').intent).toBe('DECLINE');
  });

  it('STOP reply says no other messages will follow; HELP names STOP and AYUDA works', () => {
    expect(render.optedOut()).toContain('no le enviaremos otros mensajes');
    expect(render.help()).toContain('STOP para salir');
    expect(render.help()).toContain('tarifas de msj/datos');
    expect(classifyReply('AYUDA').intent).toBe('HELP');
  });
});

describe('templatesFor', () => {
  it('picks the patient language and falls back to English', () => {
    expect(templatesFor('es')).toBe(spanishTemplates);
    expect(templatesFor('en')).toBe(englishTemplates);
    expect(templatesFor(undefined)).toBe(englishTemplates);
    expect(templates).toBe(englishTemplates);
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

  it.each(
    LANGUAGES.flatMap(({ language, t }) =>
      (Object.keys(t) as TemplateName[]).map((name) => [language, name, t] as const),
    ),
  )('%s %s still renders one GSM-7 segment', (_language, name, t) => {
    const zoned = {
      until: offer.startAt,
      pausedUntil: offer.startAt,
      onList: true,
      timeZone: offer.timeZone,
    };
    const text =
      name === 'offer' || name === 'confirmed'
        ? t[name](hostile, hostileOffer)
        : name === 'paused' || name === 'status'
          ? t[name](hostile, zoned)
          : t[name](hostile);
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
