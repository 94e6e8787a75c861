import { describe, expect, it } from 'vitest';
import { classifyReply, type ReplyIntent } from '../shared/domain/reply-intent.js';
import { templates } from '../shared/domain/templates.js';

// Tapbacks quote our real offer text, so a template change cannot make this corpus stale.
const offerText = templates.offer(
  { clinicName: 'Northside Family Clinic', contactPhone: '555-0100' },
  {
    firstName: 'Ana',
    providerName: 'Dr. Lee',
    locationName: 'Main St',
    startAt: '2026-09-30T17:30:00Z',
    timeZone: 'America/Chicago',
    holdExpiresAt: '2026-09-30T15:07:00Z',
  },
);
const helpText = templates.noOffer({ clinicName: 'Northside', contactPhone: '555-0100' });

type Case = [body: string, intent: ReplyIntent];

const corpus: Case[] = [
  // Claim keywords in several cases, with punctuation, whitespace and emoji around them.
  ['YES', 'CLAIM'],
  ['yes', 'CLAIM'],
  ['Yes', 'CLAIM'],
  ['yEs', 'CLAIM'],
  ['Yes!!', 'CLAIM'],
  [' yes 👍', 'CLAIM'],
  ['YES.', 'CLAIM'],
  ['\n\tyes\n', 'CLAIM'],
  ['👍 YES 👍', 'CLAIM'],
  ['Y', 'CLAIM'],
  ['y.', 'CLAIM'],
  ['Yep', 'CLAIM'],
  ['YEAH!', 'CLAIM'],
  ['yup', 'CLAIM'],
  ['Sure', 'CLAIM'],
  ['ok', 'CLAIM'],
  ['OK!', 'CLAIM'],
  ['Okay', 'CLAIM'],
  ["I'll take it", 'CLAIM'],
  ['I\u2019ll take it!', 'CLAIM'],
  ['ill take it', 'CLAIM'],
  ['Yes please', 'CLAIM'],
  ['Yes, thank you!', 'CLAIM'],
  ['Hi, yes I will take it', 'CLAIM'],
  ['Loved it, yes!', 'CLAIM'],
  ['Yes! What should I bring?', 'CLAIM'],
  ['No problem, I will take it', 'CLAIM'],
  ["Can't wait, yes", 'CLAIM'],
  // Spanish.
  ['Si', 'CLAIM'],
  ['SÍ', 'CLAIM'],
  ['sí', 'CLAIM'],
  ['Sí, por favor', 'CLAIM'],
  ['Claro que sí', 'CLAIM'],
  ['No, gracias', 'DECLINE'],
  ['AYUDA', 'HELP'],
  ['Quiero darme de baja', 'OPT_OUT'],
  ['No más mensajes por favor', 'OPT_OUT'],
  ['Dejen de escribirme', 'OPT_OUT'],
  ['Mi presión está baja hoy', 'UNKNOWN'],
  // "dar de baja" also means cancelling an appointment; only the reflexive forms opt out.
  ['Quiero dar de baja mi cita del martes', 'UNKNOWN'],
  ['Me doy de baja', 'OPT_OUT'],
  ['Ya no quiero recibir mensajes', 'OPT_OUT'],
  // Unaccented "si" is also "if".
  ['Si me da tiempo voy', 'UNKNOWN'],
  ['Si por favor', 'CLAIM'],
  ['si claro', 'CLAIM'],
  ['Si, la quiero', 'CLAIM'],
  ['Sí la quiero', 'CLAIM'],
  ['No se', 'UNKNOWN'],
  ['No sé si puedo', 'UNKNOWN'],
  ['No, gracias, no puedo', 'DECLINE'],
  ['no gracias', 'DECLINE'],
  [`Le gustó \u201C${offerText}\u201D`, 'UNKNOWN'],
  // Decline keywords.
  ['NO', 'DECLINE'],
  ['no', 'DECLINE'],
  ['No.', 'DECLINE'],
  ['N', 'DECLINE'],
  ['nope', 'DECLINE'],
  ['Nope 🙁', 'DECLINE'],
  ['No thanks', 'DECLINE'],
  ['no thank you', 'DECLINE'],
  ["Can't", 'DECLINE'],
  ['I can\u2019t make it', 'DECLINE'],
  ['cannot', 'DECLINE'],
  ['PASS', 'DECLINE'],
  ['pass', 'DECLINE'],
  ["I'll pass, thanks", 'DECLINE'],
  // Words that contain a keyword are not the keyword.
  ['Yesterday', 'UNKNOWN'],
  ['My', 'UNKNOWN'],
  ['eye', 'UNKNOWN'],
  ['Nobody', 'UNKNOWN'],
  ['Bypass', 'UNKNOWN'],
  ['Stopped', 'UNKNOWN'],
  ['Hola y gracias', 'UNKNOWN'],
  // STOP family: exact words in any case, and short free text. Opt-out wins in a short message.
  ['STOP', 'OPT_OUT'],
  ['stop', 'OPT_OUT'],
  ['Stop.', 'OPT_OUT'],
  ['STOPALL', 'OPT_OUT'],
  ['UNSUBSCRIBE', 'OPT_OUT'],
  ['unsubscribe', 'OPT_OUT'],
  ['CANCEL', 'OPT_OUT'],
  ['END', 'OPT_OUT'],
  ['quit', 'OPT_OUT'],
  ['Revoke', 'OPT_OUT'],
  ['OPTOUT', 'OPT_OUT'],
  ['opt out', 'OPT_OUT'],
  ['Opt-out', 'OPT_OUT'],
  ['stop please', 'OPT_OUT'],
  ['Please stop', 'OPT_OUT'],
  ['stop texting me', 'OPT_OUT'],
  ['STOP!!! 😡', 'OPT_OUT'],
  ['yes stop', 'OPT_OUT'],
  ['No. Stop.', 'OPT_OUT'],
  ['stop?', 'OPT_OUT'],
  ['Take me off this list', 'OPT_OUT'],
  [
    'I have told you several times already that I do not want these, unsubscribe me from this list now',
    'OPT_OUT',
  ],
  [
    'Yes I would like that, but after this one please stop texting me because I am moving out of state',
    'OPT_OUT',
  ],
  // Opt-in.
  ['START', 'OPT_IN'],
  ['start', 'OPT_IN'],
  ['Unstop', 'OPT_IN'],
  ['START please', 'OPT_IN'],
  ['What time does it start', 'UNKNOWN'],
  // Help.
  ['HELP', 'HELP'],
  ['help', 'HELP'],
  ['Help?', 'HELP'],
  ['INFO', 'HELP'],
  ['info please', 'HELP'],
  // Tapbacks quoting our own offer ("Reply YES" included), straight and curly quotes: never answers.
  [`Liked \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Loved \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Laughed at \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Emphasized \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Questioned \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Disliked \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Liked "${offerText}"`, 'UNKNOWN'],
  [`Reacted 👍 to \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Reacted with 👍 to "${offerText}"`, 'UNKNOWN'],
  [`Removed a like from \u201C${offerText}\u201D`, 'UNKNOWN'],
  [`Removed a heart from "${offerText}"`, 'UNKNOWN'],
  // A reaction to a text that says STOP is not an opt-out either.
  [`Liked \u201C${helpText}\u201D`, 'UNKNOWN'],
  [`Emphasized \u201C${offerText.slice(0, 60)}\u2026\u201D`, 'UNKNOWN'],
  ['Loved an image', 'UNKNOWN'],
  // Mixed yes/no is never a claim.
  ['yes no', 'UNKNOWN'],
  ['Yes. No wait', 'UNKNOWN'],
  ['No, yes', 'UNKNOWN'],
  ['Y N', 'UNKNOWN'],
  ['Sure, no', 'UNKNOWN'],
  // Questions and negations do not answer.
  ['Is it ok if I bring my son?', 'UNKNOWN'],
  ['Yes?', 'UNKNOWN'],
  ['not sure', 'UNKNOWN'],
  ["I'm not sure", 'UNKNOWN'],
  // Long free text: only the leading words answer; doubt anywhere blocks a claim.
  ['Yes I would love to take that appointment, thank you so much for letting me know', 'CLAIM'],
  ['No I am out of town that whole week but please keep me on the list for later', 'DECLINE'],
  ['Okay so I am not sure I can make it, let me check with my boss first', 'UNKNOWN'],
  ['My daughter said ok but I need to check my schedule first and get back to you', 'UNKNOWN'],
  ['Can you tell me which doctor this is with and whether there is parking nearby? No rush', 'UNKNOWN'],
  ['Yes please, and can I cancel my old appointment on the 14th as well then, thanks', 'CLAIM'],
  // Nothing to read.
  ['', 'UNKNOWN'],
  ['   ', 'UNKNOWN'],
  ['👍', 'UNKNOWN'],
  // A lengthened keyword is the keyword; a lone "?" or "who is this" asks who we are (HELP).
  ['Yesss', 'CLAIM'],
  ['?!', 'HELP'],
  ['Who is this', 'HELP'],
];

describe('classifyReply corpus', () => {
  it('has at least 80 bodies', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(80);
  });

  it.each(corpus)('%j -> %s', (body, intent) => {
    expect(classifyReply(body).intent).toBe(intent);
  });
});

describe('classifyReply details', () => {
  it('flags reactions and gives no keyword for them', () => {
    const result = classifyReply(`Liked \u201C${offerText}\u201D`);
    expect(result).toEqual({ intent: 'UNKNOWN', reaction: true, reason: 'REACTION' });
  });

  it('reports the keyword that decided, normalised', () => {
    expect(classifyReply('SÍ!').matched).toBe('si');
    expect(classifyReply('UNSUBSCRIBE').matched).toBe('unsubscribe');
    expect(classifyReply('I\u2019ll take it').matched).toBe("i'll take it");
    expect(classifyReply('opt-out please').matched).toBe('opt out');
  });

  it('gives a loggable reason for UNKNOWN', () => {
    expect(classifyReply('yes no').reason).toBe('MIXED');
    expect(classifyReply('Yes?').reason).toBe('QUESTION');
    expect(classifyReply('').reason).toBe('EMPTY');
    expect(classifyReply('Maybe later').reason).toBe('NO_KEYWORD');
    expect(classifyReply('not ok').reason).toBe('NEGATED');
  });

  it('does not read UNSUBSCRIBE as NO, nor any Y as YES (the earlier parser did)', () => {
    expect(classifyReply('UNSUBSCRIBE').intent).toBe('OPT_OUT');
    for (const body of ['Yesterday', 'My', 'eye', 'Any', 'Hey']) {
      expect(classifyReply(body).intent, body).not.toBe('CLAIM');
    }
  });
});
