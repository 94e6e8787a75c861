import type { OfferState } from '../api/types.js';
import { h } from './dom.js';
import { titleCase } from './format.js';

/** Colour is never the only signal: every badge also says its state in words. */
export function stateBadge(state: string): HTMLElement {
  return h('span', { class: ['badge', `state-${state.toLowerCase()}`] }, titleCase(state));
}

const DELIVERY_ICON: Record<string, string> = {
  queued: '…',
  accepted: '…',
  sending: '…',
  sent: '✓',
  delivered: '✓✓',
  undelivered: '✗',
  failed: '✗',
  received: '↩',
};

export function deliveryBadge(status: string | undefined, errorCode?: string): HTMLElement | null {
  if (!status) return null;
  const s = status.toLowerCase();
  const bad = s === 'failed' || s === 'undelivered';
  return h(
    'span',
    {
      class: ['delivery', bad && 'delivery-bad'],
      title: errorCode ? `Twilio error ${errorCode}` : undefined,
    },
    `${DELIVERY_ICON[s] ?? ''} ${s}${errorCode ? ` (${errorCode})` : ''}`.trim(),
  );
}

export const OFFER_STATES: OfferState[] = [
  'PENDING',
  'ACCEPTED',
  'DECLINED',
  'EXPIRED',
  'CANCELLED',
  'FAILED',
];
