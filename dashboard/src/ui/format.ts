/** Times shown in the browser's zone: the front desk sits in the clinic. */

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function time(iso: string | undefined): string {
  return iso ? timeFmt.format(new Date(iso)) : '—';
}

export function dateTime(iso: string | undefined): string {
  return iso ? dateTimeFmt.format(new Date(iso)) : '—';
}

export function full(iso: string | undefined): string {
  return iso ? fullFmt.format(new Date(iso)) : '—';
}

/** "1 h 05 min", "4:32", "now". Seconds only show under ten minutes, where they matter. */
export function countdown(targetIso: string | undefined, now = Date.now()): string {
  if (!targetIso) return '—';
  const ms = Date.parse(targetIso) - now;
  if (ms <= 0) return 'now';
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes >= 10) return `${minutes} min`;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** Phones are masked by the API already; this guards any that are not. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '—';
  if (phone.includes('•') || phone.includes('*')) return phone;
  return `•••• ${phone.slice(-4)}`;
}

export function titleCase(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');
}

/** A date input's value (YYYY-MM-DD) for today in the browser's zone. */
export function todayInput(offsetDays = 0): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
