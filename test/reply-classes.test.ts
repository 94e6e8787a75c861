import { describe, expect, it } from 'vitest';
import { classifyReply } from '../shared/domain/reply-intent.js';

/**
 * The costly classes of reply, each covered as a class (many shapes, two languages), not as single
 * strings: a qualified yes never claims, a negated want declines, lengthened words read as the word,
 * "?" and "who is this" get the HELP answer, and "wrong number" and its kin are recognised.
 */
const read = (body: string, names?: string[]) => classifyReply(body, names ? { names } : undefined);

describe('a qualified yes never claims', () => {
  const conditions = [
    'but can it be at 3pm',
    'but only after 2',
    'but I might be 10 minutes late',
    'if it is at the north office',
    'if I can bring my son',
    'only if it is in the morning',
    'only mornings',
    'except Tuesdays',
    'as long as it is with Dr. Patel',
    'unless it is at Main St',
    'not at Main St',
    'not with Dr. Lee',
    'could we do 4pm instead',
    'but I would rather see Dr. Kim',
    'provided it is before noon',
  ];
  const yeses = ['Yes', 'yes,', 'YES!', 'Ok', 'Sure', 'yeah', "I'll take it"];
  for (const yes of yeses) {
    for (const condition of conditions) {
      it(`"${yes} ${condition}"`, () => {
        const c = read(`${yes} ${condition}`);
        expect(c.intent).not.toBe('CLAIM');
        expect(c).toMatchObject({ intent: 'UNKNOWN', reason: 'QUALIFIED' });
      });
    }
  }
  it.each([
    'Sí pero solo en la mañana',
    'si, pero a las 3',
    'Sí, siempre que sea con la doctora',
    'Sí, excepto el martes',
    'Sí, con tal que sea temprano',
  ])('Spanish "%s"', (body) => {
    expect(read(body)).toMatchObject({ intent: 'UNKNOWN', reason: 'QUALIFIED' });
  });
  it.each([
    'Yes please',
    'Yes! Thank you so much',
    'yes I will be there',
    'Sí, por favor',
    'OK see you then',
  ])('a plain yes still claims: "%s"', (body) => {
    expect(read(body).intent).toBe('CLAIM');
  });
});

describe('a negated want declines', () => {
  it.each([
    "I don't want it",
    'i dont want it',
    'I do not want it',
    "Don't want it, thanks",
    'No longer need it',
    "I don't need it anymore",
    "I won't make it",
    'wont be able to make it',
    'I will not be able to come',
    'not able to come',
    'Unable to make it',
    "I'm not coming",
    'No puedo',
    'no quiero la cita',
  ])('"%s"', (body) => {
    expect(read(body).intent).toBe('DECLINE');
  });
  it.each(["I don't want to miss it, yes!", "Yes, I don't want to lose my spot"])(
    'not a decline: "%s"',
    (body) => {
      expect(read(body).intent).not.toBe('DECLINE');
    },
  );
});

describe('lengthened words read as the word', () => {
  it.each([
    ['yesss', 'CLAIM'],
    ['YESSSSS!!!', 'CLAIM'],
    ['yees', 'CLAIM'],
    ['okkk', 'CLAIM'],
    ['yeahhh', 'CLAIM'],
    ['sii', 'CLAIM'],
    ['nooo', 'DECLINE'],
    ['Noooo thanks', 'DECLINE'],
    ['nopeee', 'DECLINE'],
    ['STOPPP', 'OPT_OUT'],
    ['stopp', 'OPT_OUT'],
    ['helppp', 'HELP'],
  ] as const)('"%s" is %s', (body, intent) => {
    expect(read(body).intent).toBe(intent);
  });
  it.each(['book', 'see you soon', 'too early', 'good'])(
    'ordinary doubled letters are left alone: "%s"',
    (body) => {
      expect(read(body).intent).toBe('UNKNOWN');
    },
  );
});

describe('a lone "?" or "who is this" gets the HELP answer', () => {
  it.each([
    '?',
    '??',
    ' ? ',
    'Who is this?',
    'who is this',
    "who's this",
    'Who are you?',
    'what is this?',
    'who dis',
    '¿Quién es?',
    'quien eres',
  ])('"%s"', (body) => {
    expect(read(body).intent).toBe('HELP');
  });
  it.each(['who is the doctor?', 'what is the address?'])('a real question is not: "%s"', (body) => {
    expect(read(body).intent).not.toBe('HELP');
  });
});

describe('"wrong number" and its kin', () => {
  it.each([
    'Wrong number',
    'wrong number sorry',
    'You have the wrong number',
    'you have the wrong person',
    'Wrong person',
    'I think you have the wrong #',
    'New number, not who you want',
    'Nobody by that name here',
    'no one named Maria here',
    'I just got this number',
    'Número equivocado',
    'numero equivocado',
    'Se equivocó de número',
  ])('"%s"', (body) => {
    expect(read(body).intent).toBe('WRONG_NUMBER');
  });
  it.each([
    ["This isn't Maria", ['Maria']],
    ['this is not maria', ['Maria']],
    ["I'm not Maria", ['Maria']],
    ['No Maria here', ['Maria']],
    ['There is no Maria at this number', ['Maria']],
    ['no soy Maria', ['Maria']],
    ['Sorry, not José', ['José']],
  ] as const)('"%s" (the patient is %s)', (body, names) => {
    expect(read(body, [...names]).intent).toBe('WRONG_NUMBER');
  });
  it.each([
    ["This isn't a good time", ['Maria']],
    ['I am not sure', ['Maria']],
    ['Maria can come, yes', ['Maria']],
    ['no, Maria is sick', ['Maria']],
  ] as const)('not a wrong number: "%s"', (body, names) => {
    expect(read(body, [...names]).intent).not.toBe('WRONG_NUMBER');
  });
  it('STOP still wins over everything', () => {
    expect(read('wrong number stop texting me').intent).toBe('OPT_OUT');
  });
});
