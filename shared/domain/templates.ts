import { DateTime } from 'luxon';
import { FIELD_LIMITS, type LimitedField } from './field-limits.js';
import { clipToSeptets, GSM7_SINGLE_SEGMENT, nonGsm7Characters, segmentInfo, toGsm7 } from './gsm7.js';
import type { Language } from './model.js';

/**
 * Every SMS the system sends. Lock screens show texts to anyone nearby, so a template carries only the
 * clinic's short name, the provider's display name, a generic location and the time: no surname,
 * specialty or visit reason. The offer does not even carry the first name: a recycled or mistyped number
 * would otherwise learn who is on the waitlist, and the name did not fit in one segment beside the rest.
 * "CANCEL" is an opt-out keyword, so no template uses it to mean "cancel your appointment".
 *
 * Each template must fit one GSM-7 segment (160 characters, GSM-7 only) with the longest values that
 * validation allows (FIELD_LIMITS). Values are converted to GSM-7 and clipped to those limits at render
 * time as a second line of defence, and every rendered text passes `assertSingleSegment`, so a template
 * edit that breaks the budget fails in tests (and, at worst, loudly at send time) instead of going out as
 * a three-part UCS-2 message.
 */

/** Longest values validation accepts; the admin API reuses these (and the dashboard shows them). */
export { FIELD_LIMITS, type LimitedField };

export interface Brand {
  clinicName: string;
  contactPhone: string;
}

export interface OfferDetails {
  /** Kept for callers and future templates; not rendered in the offer (see above). */
  firstName: string;
  /** Absent when the record is missing: the template says "your provider" / "our clinic". */
  providerName?: string | undefined;
  locationName?: string | undefined;
  startAt: string;
  timeZone: string;
  holdExpiresAt: string;
  /**
   * The patient's own zone. When it is not the clinic's, the hold is shown in it and both times carry
   * their zone ("Held till 8:07AM PDT", visit "12:30PM CDT"), so nobody misreads either.
   */
  patientTimeZone?: string | undefined;
  /** Say how to opt out (CTIA: at first contact, and again when not told for a while). */
  optOutHint?: boolean | undefined;
}

export class TemplateTooLongError extends Error {
  override readonly name = 'TemplateTooLongError';
  constructor(
    readonly units: number,
    readonly encoding: string,
    readonly badCharacters: string[],
  ) {
    // The text itself is not in the message: it can contain a patient's name.
    super(
      `SMS text does not fit one GSM-7 segment (${encoding}, ${units} units` +
        (badCharacters.length > 0 ? `, non-GSM characters ${JSON.stringify(badCharacters)})` : ')'),
    );
  }
}

/** Throws unless `text` is GSM-7 only and at most 160 characters (one segment). Returns the text. */
export function assertSingleSegment(text: string): string {
  const info = segmentInfo(text);
  if (info.encoding !== 'GSM-7' || info.units > GSM7_SINGLE_SEGMENT) {
    throw new TemplateTooLongError(info.units, info.encoding, nonGsm7Characters(text));
  }
  return text;
}

/**
 * GSM-7 only, single spaces, clipped to the field's limit in septets (an extension character such as
 * "[" or "€" costs two). Validation should already have refused longer values; this is the backstop.
 */
export function fitField(value: string, field: LimitedField): string {
  const clean = toGsm7(value).replace(/\s+/g, ' ').trim();
  return clipToSeptets(clean, FIELD_LIMITS[field]).trim();
}

// A fixed locale: the runtime's default could add non-GSM characters (e.g. a narrow no-break space before
// "PM" in some ICU versions, or accented month names).
function when(iso: string, zone: string): string {
  return local(iso, zone).toFormat('ccc LLL d h:mma');
}

function clock(iso: string, zone: string): string {
  return local(iso, zone).toFormat('h:mma');
}

/** " CDT" when the patient lives in another zone than the one the time is shown in; "" otherwise. */
function zoneLabel(iso: string, zone: string, o: OfferDetails): string {
  if (!o.patientTimeZone || o.patientTimeZone === o.timeZone) return '';
  return ` ${local(iso, zone).toFormat('ZZZZ')}`;
}

/** Where the patient reads the hold: their own zone when known. */
function holdZone(o: OfferDetails): string {
  return o.patientTimeZone ?? o.timeZone;
}

/**
 * The first of these texts that fits one segment. The worst case (every field at its longest, opt-out
 * words, zone labels) drops the location, then the provider, rather than the answer words or the hold.
 */
function firstFitting(candidates: string[]): string {
  for (const text of candidates.slice(0, -1)) {
    if (segmentInfo(text).encoding === 'GSM-7' && segmentInfo(text).units <= GSM7_SINGLE_SEGMENT) return text;
  }
  return assertSingleSegment(candidates.at(-1) as string);
}

function offerVariants(
  o: OfferDetails,
  render: (visit: { provider?: string; location?: string }) => string,
  words: { provider: string; location: string },
): string[] {
  const provider = o.providerName ? fitField(o.providerName, 'providerName') : words.provider;
  const location = o.locationName ? fitField(o.locationName, 'locationName') : words.location;
  return [render({ provider, location }), render({ provider }), render({ location }), render({})];
}

/** "Wed Sep 30" */
function day(iso: string, zone: string): string {
  return local(iso, zone).toFormat('ccc LLL d');
}

/** "mie 30 sep" (see DIAS and MESES). */
function dia(iso: string, zone: string): string {
  const t = local(iso, zone);
  return `${DIAS[t.weekday - 1]} ${t.day} ${MESES[t.month - 1]}`;
}

function local(iso: string, zone: string): DateTime {
  const time = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('en-US');
  // Luxon would otherwise render "Invalid DateTime" into a patient's text.
  if (!time.isValid) throw new RangeError(`cannot render time: ${time.invalidReason ?? 'invalid'}`);
  return time;
}

/**
 * Spanish day and month abbreviations, spelled here rather than taken from ICU: ICU's "sáb" and "mié"
 * carry accents GSM-7 lacks, and its abbreviations differ between versions ("sep"/"sept."). March is
 * written in full because "mar" is also Tuesday ("mar 3 mar" would say neither). The clock is the
 * 12-hour one US patients read ("2:30pm").
 */
const DIAS = ['lun', 'mar', 'mie', 'jue', 'vie', 'sab', 'dom'];
const MESES = ['ene', 'feb', 'marzo', 'abr', 'may', 'jun', 'jul', 'ago', 'sep', 'oct', 'nov', 'dic'];

function cuando(iso: string, zone: string): string {
  const t = local(iso, zone);
  return `${DIAS[t.weekday - 1]} ${t.day} ${MESES[t.month - 1]} ${hora(iso, zone)}`;
}

function hora(iso: string, zone: string): string {
  const t = local(iso, zone);
  return `${t.toFormat('h:mm')}${t.hour < 12 ? 'am' : 'pm'}`;
}

function brand(b: Brand): string {
  return fitField(b.clinicName, 'clinicName');
}

function phone(b: Brand): string {
  return fitField(b.contactPhone, 'contactPhone');
}

type VisitFields = Pick<OfferDetails, 'startAt' | 'timeZone' | 'providerName' | 'locationName'>;

// The fallbacks cover a provider or location record that has gone missing; they are in each language.
function visit(o: VisitFields): string {
  const provider = o.providerName ? fitField(o.providerName, 'providerName') : 'your provider';
  const location = o.locationName ? fitField(o.locationName, 'locationName') : 'our clinic';
  return `${when(o.startAt, o.timeZone)} with ${provider} at ${location}`;
}

function visita(o: VisitFields): string {
  const provider = o.providerName ? fitField(o.providerName, 'providerName') : 'su proveedor';
  const location = o.locationName ? fitField(o.locationName, 'locationName') : 'nuestro centro';
  return `${cuando(o.startAt, o.timeZone)} con ${provider} en ${location}`;
}

/** Every text the system sends, in one language. Each language must provide all of them. */
export interface MessageTemplates {
  offer(b: Brand, o: OfferDetails): string;
  confirmed(b: Brand, o: VisitFields): string;
  taken(b: Brand): string;
  closed(b: Brand): string;
  withdrawn(b: Brand): string;
  declined(b: Brand): string;
  /** "Wrong number": the number is opted out; one apology, nothing after it. */
  wrongNumber(b: Brand): string;
  /** A yes with a condition: take it as offered, or call (staff also see the message). */
  qualifiedYes(b: Brand): string;
  /** A NO after winning: the visit stands until staff call; how to release it now. */
  winnerChangedMind(b: Brand): string;
  noOffer(b: Brand): string;
  /** CTIA HELP: program name, a support number, how to opt out. */
  help(b: Brand): string;
  /** PAUSE: offers stop until the date (patient's zone); how to resume. */
  paused(b: Brand, o: { until: string; timeZone: string }): string;
  /** RESUME: offers come again. */
  resumed(b: Brand): string;
  /** STATUS: on the list or not, paused until when, how to change it. No provider, visit or diagnosis. */
  status(b: Brand, o: { onList: boolean; pausedUntil?: string | undefined; timeZone: string }): string;
  /** LEAVE: off the waitlist (consent kept), how to be added again. */
  left(b: Brand): string;
  /** CTIA STOP: brand, acknowledgement, "no further messages". Sent once. */
  optedOut(b: Brand): string;
  /** The STOP confirmation for a patient with a booked visit ahead: the visit stands, call to change it. */
  optedOutStillBooked(b: Brand): string;
  optedIn(b: Brand): string;
  unknown(b: Brand): string;
  /** The optional text when staff add a patient. */
  welcome(b: Brand): string;
}

export const englishTemplates: MessageTemplates = {
  offer: (b, o) => {
    const when = `${local(o.startAt, o.timeZone).toFormat('ccc LLL d h:mma')}${zoneLabel(o.startAt, o.timeZone, o)}`;
    const ask = o.optOutHint ? 'YES to book, NO to pass, STOP to opt out' : 'Reply YES to book, NO to pass';
    const hold = `Held till ${clock(o.holdExpiresAt, holdZone(o))}${zoneLabel(o.holdExpiresAt, holdZone(o), o)}`;
    return firstFitting(
      offerVariants(
        o,
        ({ provider, location }) =>
          `${brand(b)}: Opening ${when}${provider ? ` with ${provider}` : ''}${location ? ` at ${location}` : ''}. ${ask}. ${hold}`,
        { provider: 'your provider', location: 'our clinic' },
      ),
    );
  },
  confirmed: (b, o) =>
    assertSingleSegment(`${brand(b)}: You're booked ${visit(o)}. Questions? Call ${phone(b)}`),
  taken: (b) =>
    assertSingleSegment(
      `${brand(b)}: Sorry, that opening was just taken. You stay on our waitlist and we'll text you when another one opens.`,
    ),
  closed: (b) =>
    assertSingleSegment(
      `${brand(b)}: That opening is no longer available. You stay on our waitlist and we'll text you when another one opens.`,
    ),
  withdrawn: (b) =>
    assertSingleSegment(
      `${brand(b)}: The opening we texted you about is no longer available. You stay on our waitlist.`,
    ),
  declined: (b) =>
    assertSingleSegment(`${brand(b)}: Thanks, we'll keep you on the waitlist for the next opening.`),
  wrongNumber: (b) =>
    assertSingleSegment(
      `${brand(b)}: Sorry about that. We've removed this number and will not text it again.`,
    ),
  qualifiedYes: (b) =>
    assertSingleSegment(
      `${brand(b)}: To take the opening as offered, reply YES. For another time or place, call ${phone(b)}. We've passed your note on.`,
    ),
  winnerChangedMind: (b) =>
    assertSingleSegment(
      `${brand(b)}: Thanks for telling us. Your visit stays booked until the clinic calls you; to release it now, call ${phone(b)}.`,
    ),
  noOffer: (b) =>
    assertSingleSegment(
      `${brand(b)}: You have no open offer right now. We'll text you when an opening comes up. Reply HELP for help, STOP to opt out.`,
    ),
  // The keywords are listed when they fit beside everything CTIA requires.
  help: (b) =>
    firstFitting([
      `${brand(b)} waitlist: texts when an earlier visit opens. Help: ${phone(b)}. Reply STOP to opt out. PAUSE, STATUS, LEAVE also work. Msg&data rates may apply.`,
      `${brand(b)} waitlist: texts when an earlier visit opens. Help: ${phone(b)}. Reply STOP to opt out. Msg&data rates may apply.`,
    ]),
  paused: (b, o) =>
    assertSingleSegment(
      `${brand(b)}: Offers paused until ${day(o.until, o.timeZone)}. Reply RESUME to restart them, STATUS to check, STOP to opt out.`,
    ),
  resumed: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're back on for offers; we'll text you when an opening comes up. Reply PAUSE to pause, STOP to opt out.`,
    ),
  status: (b, o) =>
    assertSingleSegment(
      o.onList
        ? `${brand(b)}: You're on our waitlist.${o.pausedUntil ? ` Offers paused until ${day(o.pausedUntil, o.timeZone)}.` : ''} Reply PAUSE, RESUME or LEAVE to change it, STOP to opt out.`
        : `${brand(b)}: You're not on our waitlist right now. To be added, call ${phone(b)}. Reply STOP to opt out.`,
    ),
  left: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're off our waitlist and won't get offers. To be added again, call ${phone(b)}.`,
    ),
  optedOut: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're unsubscribed and will receive no further messages. Reply START to resubscribe.`,
    ),
  optedOutStillBooked: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're unsubscribed and will receive no further messages. Your booked visit stands; to change it call ${phone(b)}.`,
    ),
  optedIn: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're resubscribed to waitlist texts. Reply HELP for help, STOP to opt out.`,
    ),
  unknown: (b) =>
    assertSingleSegment(
      `${brand(b)}: Please reply YES to take the opening or NO to pass. Reply HELP for help, STOP to opt out.`,
    ),
  welcome: (b) =>
    assertSingleSegment(
      `${brand(b)}: You're on our waitlist for an earlier visit. We'll text you when one opens. Reply HELP for help, STOP to opt out.`,
    ),
};

/**
 * Spanish. GSM-7 has é, ñ, ¿ and ¡ but not á, í, ó or ú, so these texts are worded to need none of the
 * latter (a UCS-2 text would cost three segments). STOP and START stay in English: they are the keywords
 * carriers act on; AYUDA, SI and NO are read by our own reply parser.
 */
export const spanishTemplates: MessageTemplates = {
  offer: (b, o) => {
    const when = `${cuando(o.startAt, o.timeZone)}${zoneLabel(o.startAt, o.timeZone, o)}`;
    const ask = o.optOutHint
      ? 'SI para reservar, NO para pasar, STOP para salir'
      : 'SI para reservar, NO para pasar';
    const hold = `Vence ${hora(o.holdExpiresAt, holdZone(o))}${zoneLabel(o.holdExpiresAt, holdZone(o), o)}`;
    return firstFitting(
      offerVariants(
        o,
        ({ provider, location }) =>
          `${brand(b)}: Cita ${when}${provider ? ` con ${provider}` : ''}${location ? ` en ${location}` : ''}. ${ask}. ${hold}`,
        { provider: 'su proveedor', location: 'nuestro centro' },
      ),
    );
  },
  confirmed: (b, o) =>
    assertSingleSegment(`${brand(b)}: Cita reservada ${visita(o)}. ¿Dudas? Llame al ${phone(b)}`),
  taken: (b) =>
    assertSingleSegment(
      `${brand(b)}: Lo sentimos, esa cita ya fue tomada. Sigue en nuestra lista de espera y le avisaremos cuando haya otra.`,
    ),
  closed: (b) =>
    assertSingleSegment(
      `${brand(b)}: Esa cita ya no se puede reservar. Sigue en nuestra lista de espera y le avisaremos cuando haya otra.`,
    ),
  withdrawn: (b) =>
    assertSingleSegment(
      `${brand(b)}: La cita que le ofrecimos ya no se puede reservar. Sigue en nuestra lista de espera.`,
    ),
  declined: (b) =>
    assertSingleSegment(`${brand(b)}: Gracias. Sigue en nuestra lista de espera para la siguiente cita.`),
  wrongNumber: (b) =>
    assertSingleSegment(
      `${brand(b)}: Disculpe la molestia. Quitamos este numero y no le enviaremos mas mensajes.`,
    ),
  qualifiedYes: (b) =>
    assertSingleSegment(
      `${brand(b)}: Para tomar la cita tal como se ofrece, responda SI. Para otra hora o lugar, llame al ${phone(b)}. Ya pasamos su nota.`,
    ),
  winnerChangedMind: (b) =>
    assertSingleSegment(
      `${brand(b)}: Gracias por avisar. Su cita sigue reservada hasta que le llamemos; para liberarla ahora llame al ${phone(b)}.`,
    ),
  noOffer: (b) =>
    assertSingleSegment(
      `${brand(b)}: No tiene ninguna oferta abierta. Le avisaremos cuando haya una cita. AYUDA para ayuda, STOP para salir.`,
    ),
  help: (b) =>
    firstFitting([
      `${brand(b)} lista de espera: le avisamos si se libera una cita. Ayuda: ${phone(b)}. STOP para salir. PAUSA, ESTADO, RETIRARME. Pueden aplicar tarifas de msj/datos.`,
      `${brand(b)} lista de espera: le avisamos si se libera una cita. Ayuda: ${phone(b)}. STOP para salir. Pueden aplicar tarifas de msj/datos.`,
    ]),
  paused: (b, o) =>
    assertSingleSegment(
      `${brand(b)}: Ofertas en pausa hasta el ${dia(o.until, o.timeZone)}. REANUDAR para seguir, ESTADO para consultar, STOP para salir.`,
    ),
  resumed: (b) =>
    assertSingleSegment(
      `${brand(b)}: Vuelve a recibir ofertas; le avisaremos cuando haya una cita. PAUSA para pausar, STOP para salir.`,
    ),
  status: (b, o) =>
    assertSingleSegment(
      o.onList
        ? `${brand(b)}: Esta en nuestra lista de espera.${o.pausedUntil ? ` En pausa hasta el ${dia(o.pausedUntil, o.timeZone)}.` : ''} PAUSA, REANUDAR o RETIRARME para cambiar, STOP para salir.`
        : `${brand(b)}: No figura en nuestra lista de espera. Para volver, llame al ${phone(b)}. STOP para salir.`,
    ),
  left: (b) =>
    assertSingleSegment(
      `${brand(b)}: Ya no figura en nuestra lista de espera ni recibira ofertas. Para volver, llame al ${phone(b)}.`,
    ),
  optedOut: (b) =>
    assertSingleSegment(
      `${brand(b)}: Se dio de baja y no le enviaremos otros mensajes. Responda START para volver a suscribirse.`,
    ),
  optedOutStillBooked: (b) =>
    assertSingleSegment(
      `${brand(b)}: Se dio de baja y no le enviaremos otros mensajes. Su cita sigue reservada; para cambiarla llame al ${phone(b)}.`,
    ),
  optedIn: (b) =>
    assertSingleSegment(
      `${brand(b)}: Vuelve a recibir avisos de la lista de espera. AYUDA para ayuda, STOP para salir.`,
    ),
  unknown: (b) =>
    assertSingleSegment(
      `${brand(b)}: Responda SI para tomar la cita o NO para pasar. AYUDA para ayuda, STOP para salir.`,
    ),
  welcome: (b) =>
    assertSingleSegment(
      `${brand(b)}: Ya figura en nuestra lista de espera. Le avisaremos si se libera una cita antes. AYUDA para ayuda, STOP para salir.`,
    ),
};

const BY_LANGUAGE: Record<Language, MessageTemplates> = { en: englishTemplates, es: spanishTemplates };

/** The texts for a patient's language (absent = English). */
export function templatesFor(language: Language | undefined): MessageTemplates {
  return BY_LANGUAGE[language ?? 'en'];
}

/** English, for callers with no patient (an unknown sender's HELP). */
export const templates = englishTemplates;

export type TemplateName = keyof MessageTemplates;
