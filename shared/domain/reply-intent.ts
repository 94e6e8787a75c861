/**
 * Reply understanding for inbound SMS. Pure: no I/O, no clock.
 *
 * Matching is by whole words (and short word sequences), never by substring: the clinic's earlier parser
 * read "UNSUBSCRIBE" as NO and anything containing "Y" as YES. When in doubt the answer is UNKNOWN,
 * because the costs are lopsided: a wrong CLAIM books the wrong person and a wrong DECLINE loses a
 * patient their offer, while UNKNOWN only earns a short "reply YES or NO" text.
 *
 * The word lists below are data, so they can be reviewed (and extended) without reading the logic.
 * All entries are lower case, without accents, apostrophes straight.
 */

// ---------------------------------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------------------------------

/**
 * The STOP family. Twilio blocks these only as an exact one-word message; the FCC rule in force since
 * 2025-04-11 treats them as revocation "by any reasonable means", so in a short message any of them opts
 * out, whatever else the message says.
 */
export const OPT_OUT_WORDS: readonly string[] = [
  'stop',
  'stopall',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
  'revoke',
  'optout',
];

/** Multi-word opt-outs, as word sequences. Also recognised in long messages (they are unambiguous). */
export const OPT_OUT_PHRASES: readonly string[] = [
  'opt out',
  'stop texting',
  'stop text',
  'stop messaging',
  'stop sending',
  'stop contacting',
  'quit texting',
  'quit messaging',
  'quit sending',
  'remove me',
  'take me off',
  'do not text',
  "don't text",
  'dont text',
  'no more texts',
  'no more messages',
  'leave me alone',
  // Spanish. Single words such as "baja" are left out ("mi presion esta baja"), and so is "dar de baja",
  // which also means cancelling an appointment; only the reflexive forms are about the texts. An opt-out
  // phrase counts even after "no": missing a real opt-out is the worse mistake, and the confirmation
  // says how to come back.
  'darme de baja',
  'me doy de baja',
  'denme de baja',
  'no quiero recibir',
  'ya no quiero mensajes',
  'no mas mensajes',
  'no me escriban',
  'dejen de escribir',
  'dejen de escribirme',
  'dejen de enviar',
  'dejen de enviarme',
  'dejen de mandarme',
];

/**
 * Single words that are unambiguous revocations even inside a long message. "stop", "end", "cancel" and
 * "quit" are not on this list: in a long message they are usually about something else ("the bus stop",
 * "cancel my old appointment"), and a long message is read for its strong phrases only.
 */
export const OPT_OUT_WORDS_ANYWHERE: readonly string[] = ['unsubscribe', 'stopall', 'optout', 'revoke'];

/** Opt back in. Twilio also treats YES as opt-in at carrier level; we do not (our consent record rules). */
export const OPT_IN_WORDS: readonly string[] = ['start', 'unstop'];

/** "ayuda" is Spanish for help; Spanish-speaking patients are told to send it. */
export const HELP_WORDS: readonly string[] = ['help', 'info', 'ayuda'];

/**
 * Patients steer by keyword, as the whole message only (like START and HELP): PAUSE [days] stops
 * offers for a while, RESUME ends a pause, STATUS asks where they stand, LEAVE takes them off the
 * waitlist (consent kept). Spanish: PAUSA, REANUDAR, ESTADO, RETIRARME ("salir" is what our Spanish
 * texts say for STOP, so it stays an opt-out). The STOP family is read first and always wins.
 */
export const PAUSE_WORDS: readonly string[] = ['pause', 'pausa', 'pausar'];
export const RESUME_WORDS: readonly string[] = ['resume', 'unpause', 'reanudar', 'continuar'];
export const STATUS_WORDS: readonly string[] = ['status', 'estado'];
export const LEAVE_WORDS: readonly string[] = ['leave', 'retirarme', 'retirar'];
/** Words allowed after PAUSE's number ("PAUSE 30 days", "PAUSA 10 dias"). */
const DAY_WORDS: readonly string[] = ['day', 'days', 'dia', 'dias'];

/** Words that take the offered slot. "si" covers "sí" because accents are removed before matching. */
export const CLAIM_WORDS: readonly string[] = [
  'yes',
  'y',
  'yep',
  'yeah',
  'yea',
  'yup',
  'sure',
  'ok',
  'okay',
  'si',
  'claro',
];

export const CLAIM_PHRASES: readonly string[] = [
  "i'll take it",
  'ill take it',
  'i will take it',
  "i'll take",
  'i want it',
  'book me',
  'count me in',
];

/** Words that pass on the offer. */
export const DECLINE_WORDS: readonly string[] = [
  'no',
  'n',
  'nope',
  'nah',
  'pass',
  "can't",
  'cant',
  'cannot',
  'unable',
];

export const DECLINE_PHRASES: readonly string[] = [
  'no thanks',
  'no thank you',
  'no gracias',
  'can not',
  'not interested',
  "i'll pass",
  // A negated want or ability is a no ("I don't want it", "won't make it"), not a mystery.
  "don't want",
  'dont want',
  'do not want',
  'no longer want',
  'no longer need',
  "don't need",
  'dont need',
  'do not need',
  "won't make",
  'wont make',
  'will not make',
  "won't be able",
  'wont be able',
  'will not be able',
  'not be able',
  'not able',
  'not coming',
  'not going to make',
  'no voy a poder',
  'no me sirve',
];

/**
 * Single letters are answers only when they are the whole message: "y" is Spanish for "and" and "n"
 * turns up in abbreviations.
 */
export const WHOLE_MESSAGE_ONLY_WORDS: readonly string[] = ['y', 'n'];

/** Phrases that contain a decline word but do not decline ("No problem, I'll take it"). */
export const NOT_A_DECLINE_PHRASES: readonly string[] = [
  'no problem',
  'no prob',
  'no worries',
  "can't wait",
  'cant wait',
  'no doubt',
  // Spanish "no sé" (accents removed): "I don't know", not a "no".
  'no se',
  'no lo se',
  // Wanting not to lose the offer is keen, not a no.
  "don't want to miss",
  'dont want to miss',
  'do not want to miss',
  "don't want to lose",
  'dont want to lose',
  'do not want to lose',
];

/**
 * A yes that adds a condition, a restriction or another time, place or provider ("yes but…", "yes
 * if…", "yes only mornings", "yes, not at Main St", "sí pero…") is not a yes to the slot as offered: it
 * must not book anyone into a visit they may not come to. A negator anywhere after the yes counts too.
 */
export const QUALIFIER_WORDS: readonly string[] = [
  'but',
  'if',
  'only',
  'except',
  'unless',
  'provided',
  'providing',
  'instead',
  'rather',
  'prefer',
  'however',
  'though',
  'although',
  'pero',
  'solo',
  'excepto',
  'menos',
  'sino',
];

export const QUALIFIER_PHRASES: readonly string[] = [
  'as long as',
  'so long as',
  'siempre que',
  'siempre y cuando',
  'con tal',
  'mientras que',
  'a menos que',
];

/**
 * Whole-message questions about who is texting: answered with the HELP text (program, clinic, phone).
 * A lone "?" is one too.
 */
export const WHO_IS_THIS_PHRASES: readonly string[] = [
  'who is this',
  "who's this",
  'whos this',
  'who is it',
  'who are you',
  'what is this',
  "what's this",
  'whats this',
  'who dis',
  'who this',
  'quien es',
  'quien eres',
  'quien habla',
  'que es esto',
];

/**
 * "Wrong number" and its kin: the number may have been reassigned, and texting it again is the
 * classic TCPA claim. Recognised anywhere in a message (after the STOP family, which still wins).
 */
export const WRONG_NUMBER_PHRASES: readonly string[] = [
  'wrong number',
  'wrong person',
  'wrong phone',
  'wrong guy',
  'wrong girl',
  'wrong lady',
  'wrong contact',
  'wrong cell',
  'new number',
  'just got this number',
  'just got this phone',
  'nobody by that name',
  'no one by that name',
  'noone by that name',
  'nobody named',
  'no one named',
  'nobody here by that name',
  'not who you',
  "doesn't live here",
  'does not live here',
  'numero equivocado',
  'equivocado de numero',
  'equivoco de numero',
  'equivocaron de numero',
  'numero incorrecto',
  'persona equivocada',
  'no vive aqui',
];

/**
 * Words that, right before the patient's own first name, deny being them ("this isn't Maria", "I'm not
 * Maria", "no soy Maria"). Only with the name: "this isn't a good time" says nothing about the number.
 */
export const NOT_THIS_PERSON_BEFORE_NAME: readonly string[] = [
  "this isn't",
  'this isnt',
  'this is not',
  "this ain't",
  "i'm not",
  'im not',
  'i am not',
  "there's no",
  'theres no',
  'there is no',
  'no soy',
  'no es',
  'no hay',
];

/** A claim word right after one of these is negated ("not sure", "not ok") and does not count. */
export const NEGATORS: readonly string[] = ['not', "don't", 'dont', "isn't", "wasn't"];

/** Courtesy words ignored when deciding whether a message is "just the keyword" ("START please"). */
export const FILLER_WORDS: readonly string[] = [
  'please',
  'pls',
  'plz',
  'thanks',
  'thank',
  'you',
  'thx',
  'ty',
  'hi',
  'hello',
  'hey',
  'me',
  'now',
  'again',
  'por',
  'favor',
  'gracias',
];

/**
 * iPhone (English and Spanish) and Android reaction texts. They quote our own message, "Reply YES"
 * included, and are never answers. Matched at the start of the body, followed by an opening quote.
 */
export const REACTION_PREFIXES: readonly string[] = [
  'liked',
  'loved',
  'laughed at',
  'emphasized',
  'emphasised',
  'questioned',
  'disliked',
  'le gusto',
  'le encanto',
  'no le gusto',
  'se rio de',
  'enfatizo',
  'cuestiono',
];

/** At most this many words and a STOP-family word opts out whatever else is said ("yes stop"). */
export const MAX_SHORT_WORDS = 8;

/**
 * In a longer message a claim or decline word counts only among its first few words: an answer leads
 * ("Yes, I would love that ..."), while "my daughter said ok but I need to check" is not an answer.
 */
export const LEADING_ANSWER_WORDS = 3;

// ---------------------------------------------------------------------------------------------------
// Classifier
// ---------------------------------------------------------------------------------------------------

export type ReplyIntent =
  | 'CLAIM'
  | 'DECLINE'
  | 'OPT_OUT'
  | 'OPT_IN'
  | 'HELP'
  | 'WRONG_NUMBER'
  | 'PAUSE'
  | 'RESUME'
  | 'STATUS'
  | 'LEAVE'
  | 'UNKNOWN';

/**
 * Why an UNKNOWN is unknown; safe to log (never contains the body). QUALIFIED is a yes with a
 * condition: answered once with "reply YES to take it as offered" and handed to staff.
 */
export type UnknownReason =
  | 'EMPTY'
  | 'REACTION'
  | 'MIXED'
  | 'QUESTION'
  | 'NEGATED'
  | 'NO_KEYWORD'
  | 'QUALIFIED';

/** What the conversation knows that helps read a reply: the patient's own first name(s). */
export interface ReplyContext {
  names?: string[];
}

export interface ReplyClassification {
  intent: ReplyIntent;
  /** The keyword or phrase that decided it, normalised (lower case, no accents). */
  matched?: string;
  /** Set when the body is a tapback/reaction quoting an earlier message. */
  reaction?: true;
  /** Set on UNKNOWN only. */
  reason?: UnknownReason;
  /** PAUSE only: the number of days the patient asked for, when they gave one. */
  days?: number;
}

const QUOTES = '"\u201C\u201D\u201E\u00AB\u00BB\u2018\u2019\'';
const reactionPattern = new RegExp(
  [
    // Liked “…”, Le gustó “…”
    `^(?:${REACTION_PREFIXES.map(escapeRegExp).join('|')})\\s*[${QUOTES}]`,
    // Reacted 👍 to “…”, Reacted with 👍 to "…", Reaccionó con 👍 a “…”
    `^(?:reacted(?:\\s+with)?|reacciono(?:\\s+con)?)\\s+\\S.{0,24}?\\s+(?:to|a)\\s*[${QUOTES}]`,
    // Removed a like from “…”, Removed 👍 from "…"
    `^removed\\s+\\S.{0,32}?\\s+from\\s*[${QUOTES}]`,
    // Loved an image, Liked a photo: reactions to attachments carry no quote.
    `^(?:${REACTION_PREFIXES.map(escapeRegExp).join('|')})\\s+an?\\s+(?:image|photo|picture|video|movie|attachment|message|audio message|sticker|gif)\\s*$`,
  ].join('|'),
  'iu',
);

interface Sentence {
  words: string[];
  question: boolean;
}

/** Classifies an inbound SMS body. Never throws. */
export function classifyReply(body: string, context: ReplyContext = {}): ReplyClassification {
  const text = normalise(body ?? '');
  if (text.trim() === '') return { intent: 'UNKNOWN', reason: 'EMPTY' };

  if (reactionPattern.test(text.trim())) return { intent: 'UNKNOWN', reaction: true, reason: 'REACTION' };

  const sentences = splitSentences(text);
  const words = sentences.flatMap((s) => s.words);
  // A lone "?" (or "??"): the sender does not know who we are.
  if (words.length === 0) {
    return /\?/.test(text) ? { intent: 'HELP', matched: '?' } : { intent: 'UNKNOWN', reason: 'EMPTY' };
  }
  const short = words.length <= MAX_SHORT_WORDS;

  // Opt-out first: it wins over anything else in a short message, and its strong forms win anywhere.
  const optOutPhrase = findPhrase(words, OPT_OUT_PHRASES);
  if (optOutPhrase) return { intent: 'OPT_OUT', matched: optOutPhrase };
  const optOutWord = words.find((w) => (short ? OPT_OUT_WORDS : OPT_OUT_WORDS_ANYWHERE).includes(w));
  if (optOutWord) return { intent: 'OPT_OUT', matched: optOutWord };

  const wrongNumber =
    findPhrase(words, WRONG_NUMBER_PHRASES) ??
    (/\bwrong\s*(?:#|no\.)/.test(text) ? 'wrong #' : undefined) ??
    notThisPerson(sentences, context.names);
  if (wrongNumber) return { intent: 'WRONG_NUMBER', matched: wrongNumber };

  // START / HELP only as (nearly) the whole message, like carriers do: "when does it start" is not an
  // opt-in and "I need help finding you" is better served by the clinic than by the HELP text.
  const core = words.filter((w) => !FILLER_WORDS.includes(w));
  if (core.length === 1) {
    const only = core[0] as string;
    if (OPT_IN_WORDS.includes(only)) return { intent: 'OPT_IN', matched: only };
    if (HELP_WORDS.includes(only)) return { intent: 'HELP', matched: only };
  }
  const steer = steeringKeyword(core);
  if (steer) return steer;
  const whoIsThis = WHO_IS_THIS_PHRASES.find(
    (phrase) =>
      phrase
        .split(' ')
        .filter((w) => !FILLER_WORDS.includes(w))
        .join(' ') === core.join(' '),
  );
  if (whoIsThis) return { intent: 'HELP', matched: whoIsThis };

  return classifyAnswer(sentences, short, core, siHints(body ?? '', text));
}

function classifyAnswer(
  sentences: Sentence[],
  short: boolean,
  core: string[],
  hints: SiHints,
): ReplyClassification {
  let claim: string | undefined;
  let decline: string | undefined;
  let sawQuestion = false;
  let sawNegated = false;
  // A long message with a decline word or a negation anywhere is not a safe claim, even if it opens
  // with "Okay" ("Okay so I'm not sure I can make it").
  let longTextDoubt = false;
  let qualified = false;
  let position = 0;

  for (const sentence of sentences) {
    const { words } = sentence;
    for (let i = 0; i < words.length; i++, position++) {
      const word = words[i] as string;
      const notADecline = phraseAt(words, i, NOT_A_DECLINE_PHRASES);
      if (notADecline) {
        i += notADecline.split(' ').length - 1;
        position += notADecline.split(' ').length - 1;
        continue;
      }
      const soloOnly = WHOLE_MESSAGE_ONLY_WORDS.includes(word) && !(core.length === 1 && core[0] === word);
      const claimHit =
        phraseAt(words, i, CLAIM_PHRASES) ??
        (CLAIM_WORDS.includes(word) && !soloOnly && (word !== 'si' || siMeansYes(words, i, hints))
          ? word
          : undefined);
      const declineHit =
        phraseAt(words, i, DECLINE_PHRASES) ?? (DECLINE_WORDS.includes(word) && !soloOnly ? word : undefined);
      const negated = i > 0 && NEGATORS.includes(words[i - 1] as string);
      if (!short && (declineHit || NEGATORS.includes(word))) longTextDoubt = true;
      if (QUALIFIER_WORDS.includes(word) || phraseAt(words, i, QUALIFIER_PHRASES)) qualified = true;
      // "Yes, not at Main St": a negation after the yes restricts it.
      if (claim && NEGATORS.includes(word)) qualified = true;
      // Long messages: only the leading words can carry the answer.
      if (!short && position >= LEADING_ANSWER_WORDS) continue;
      if (!claimHit && !declineHit) continue;
      // "Is it ok if I bring my son?" asks; it does not answer.
      if (sentence.question) {
        sawQuestion = true;
        continue;
      }
      if (claimHit) {
        if (negated) sawNegated = true;
        else claim ??= claimHit;
      }
      if (declineHit) decline ??= declineHit;
    }
  }

  if (claim && decline) return { intent: 'UNKNOWN', reason: 'MIXED' };
  if (claim && qualified) return { intent: 'UNKNOWN', reason: 'QUALIFIED' };
  if (claim && (sawNegated || longTextDoubt))
    return { intent: 'UNKNOWN', reason: sawNegated ? 'NEGATED' : 'MIXED' };
  if (claim) return { intent: 'CLAIM', matched: claim };
  if (decline) return { intent: 'DECLINE', matched: decline };
  if (sawNegated) return { intent: 'UNKNOWN', reason: 'NEGATED' };
  return { intent: 'UNKNOWN', reason: sawQuestion ? 'QUESTION' : 'NO_KEYWORD' };
}

/**
 * Spanish "sí" (yes) loses its accent in most texts and then reads like "si" (if): "Si me da tiempo voy"
 * is a condition, not a yes. An unaccented "si" counts as yes when the patient wrote it with an accent,
 * followed it with punctuation ("Si, gracias"), or followed it only with courtesy or other yes words
 * ("si por favor", "si claro"). Anything else is left unanswered, and the patient gets the short help.
 */
interface SiHints {
  accented: boolean;
  punctuated: boolean;
}

function siHints(raw: string, normalised: string): SiHints {
  return {
    accented: /(?:^|[^\p{L}])s[\u00ED\u00CD](?![\p{L}])/iu.test(raw.normalize('NFC')),
    punctuated: /(?:^|[^\p{L}])si\s*[,;:!.]/u.test(normalised),
  };
}

function siMeansYes(words: string[], index: number, hints: SiHints): boolean {
  if (hints.accented || hints.punctuated) return true;
  return words.slice(index + 1).every((w) => FILLER_WORDS.includes(w) || CLAIM_WORDS.includes(w));
}

/** Lower case, accents removed (sí -> si), typographic apostrophes straightened. */
function normalise(body: string): string {
  return body
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019\u02BC\u2032`\u00B4]/g, "'")
    .toLowerCase();
}

/** PAUSE [n [days]], RESUME, STATUS, LEAVE as the whole message (courtesy words aside). */
function steeringKeyword(core: string[]): ReplyClassification | undefined {
  const [first, ...rest] = core;
  if (!first) return undefined;
  if (rest.length === 0) {
    if (PAUSE_WORDS.includes(first)) return { intent: 'PAUSE', matched: first };
    if (RESUME_WORDS.includes(first)) return { intent: 'RESUME', matched: first };
    if (STATUS_WORDS.includes(first)) return { intent: 'STATUS', matched: first };
    if (LEAVE_WORDS.includes(first)) return { intent: 'LEAVE', matched: first };
    return undefined;
  }
  const [count, unit, ...more] = rest;
  if (
    PAUSE_WORDS.includes(first) &&
    count !== undefined &&
    /^\d{1,4}$/.test(count) &&
    (unit === undefined || DAY_WORDS.includes(unit)) &&
    more.length === 0
  ) {
    return { intent: 'PAUSE', matched: first, days: Number(count) };
  }
  return undefined;
}

/** Every single word the lists know: a lengthened word ("yesss", "nooo") is read as one of these. */
const KEYWORDS: ReadonlySet<string> = new Set([
  ...CLAIM_WORDS,
  ...DECLINE_WORDS,
  ...OPT_OUT_WORDS,
  ...OPT_OUT_WORDS_ANYWHERE,
  ...OPT_IN_WORDS,
  ...HELP_WORDS,
  ...PAUSE_WORDS,
  ...RESUME_WORDS,
  ...STATUS_WORDS,
  ...LEAVE_WORDS,
]);

/**
 * "yesss" → "yes", "nooo" → "no", "yees" → "yes", "stoppp" → "stop". Only when the shortened form is
 * a keyword: "book", "too" and "see" stay as they are.
 */
function unstretch(word: string): string {
  if (KEYWORDS.has(word) || !/(\p{L})\1/u.test(word)) return word;
  const runsOfThree = word.replace(/(\p{L})\1{2,}/gu, '$1');
  if (KEYWORDS.has(runsOfThree)) return runsOfThree;
  const runsOfTwo = word.replace(/(\p{L})\1+/gu, '$1');
  return KEYWORDS.has(runsOfTwo) ? runsOfTwo : word;
}

/** "this isn't Maria", "I'm not Maria", "No Maria here", "Sorry, not Maria": the sender is not the patient. */
function notThisPerson(sentences: Sentence[], names: string[] | undefined): string | undefined {
  const wanted = (names ?? []).map((n) => normalise(n).trim()).filter((n) => /^[\p{L}'-]+$/u.test(n));
  if (wanted.length === 0) return undefined;
  for (const { words } of sentences) {
    for (let i = 0; i < words.length; i++) {
      if (!wanted.includes(words[i] as string)) continue;
      const before = words.slice(0, i);
      const after = words.slice(i + 1);
      const denial = NOT_THIS_PERSON_BEFORE_NAME.find((phrase) => {
        const parts = phrase.split(' ');
        return parts.every((part, k) => before[before.length - parts.length + k] === part);
      });
      if (denial) return `${denial} <name>`;
      // Bare "not Maria" / "no Maria here": only as the whole sentence (after courtesy words).
      const lead = before.filter((w) => w !== 'sorry' && !FILLER_WORDS.includes(w));
      const tail = after.filter((w) => !['here', 'at', 'this', 'number', 'aqui'].includes(w));
      if (lead.length === 1 && (lead[0] === 'not' || lead[0] === 'no') && tail.length === 0) {
        return `${lead[0]} <name>`;
      }
    }
  }
  return undefined;
}

/** Sentences by terminator; a sentence ending in "?" is a question. Words are letters/digits/apostrophes. */
function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  for (const match of text.matchAll(/[^.!?\n]+[.!?\n]*|[.!?\n]+/g)) {
    const chunk = match[0];
    const words = (chunk.match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []).map(unstretch);
    if (words.length > 0) sentences.push({ words, question: chunk.includes('?') });
  }
  return sentences;
}

function phraseAt(words: string[], index: number, phrases: readonly string[]): string | undefined {
  for (const phrase of phrases) {
    const parts = phrase.split(' ');
    if (parts.every((part, k) => words[index + k] === part)) return phrase;
  }
  return undefined;
}

function findPhrase(words: string[], phrases: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const hit = phraseAt(words, i, phrases);
    if (hit) return hit;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
