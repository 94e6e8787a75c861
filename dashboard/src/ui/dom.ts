/**
 * The whole "framework": build elements from data. Strings only ever become Text nodes, and there is no
 * way through here to set innerHTML, so a patient called `<img src=x onerror=…>` stays a string. Inline
 * `style` attributes are refused too: the CSP (`style-src 'self'`) would drop them anyway.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

type EventMap = HTMLElementEventMap;
type Handler<K extends keyof EventMap> = (event: EventMap[K]) => void;

export interface Props {
  class?: string | (string | false | null | undefined)[];
  /** Event listeners: `on: { click: () => … }`. */
  on?: { [K in keyof EventMap]?: Handler<K> };
  /** DOM properties that are not attributes (value, checked, disabled...). */
  props?: Record<string, unknown>;
  [attribute: string]: unknown;
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  parent.appendChild(typeof child === 'string' || typeof child === 'number' ? text(child) : child);
}

export function text(value: string | number): Text {
  return document.createTextNode(String(value));
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el: Element, props: Props): void {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      const names = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
      if (names) el.setAttribute('class', names);
    } else if (key === 'on') {
      for (const [type, handler] of Object.entries(value as Record<string, EventListener>)) {
        el.addEventListener(type, handler);
      }
    } else if (key === 'props') {
      Object.assign(el, value);
    } else if (key === 'style' || key === 'innerHTML' || key === 'outerHTML' || key.startsWith('on')) {
      throw new Error(`h(): "${key}" is not allowed (CSP and XSS safety)`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** SVG elements for the hand-drawn charts; same rules as h(). */
export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'style' || key.startsWith('on')) throw new Error(`svg(): "${key}" is not allowed`);
    el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Replaces a container's content. */
export function mount(container: Element, ...children: Child[]): void {
  container.replaceChildren();
  append(container, children);
}

/** A labelled form field: every input has a visible label bound by id. */
let fieldCounter = 0;
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  fieldCounter += 1;
  const id = control.id || `f${fieldCounter}`;
  control.id = id;
  const hintEl = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const isCheck = control instanceof HTMLInputElement && control.type === 'checkbox';
  return h(
    'div',
    { class: ['field', isCheck && 'field-check'] },
    isCheck ? [control, h('label', { for: id }, label)] : [h('label', { for: id }, label), control],
    hintEl,
  );
}

export function button(
  label: Child,
  onClick: (event: MouseEvent) => void,
  options: { kind?: 'primary' | 'danger' | 'ghost'; title?: string; type?: 'button' | 'submit' } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: options.type ?? 'button',
      class: ['btn', options.kind && `btn-${options.kind}`],
      title: options.title,
      on: { click: onClick },
    },
    label,
  );
}

export function option(value: string, label: string, selected = false): HTMLOptionElement {
  return h('option', { value, props: { selected } }, label);
}

/** A scrollable table with column headers; rows are built by the caller (text only, like everything). */
export function dataTable(
  options: { className: string; columns: readonly string[]; caption?: string },
  rows: Child,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: options.className },
      options.caption ? h('caption', { class: 'sr-only' }, options.caption) : null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          options.columns.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', null, rows),
    ),
  );
}

/**
 * The zones a US clinic's patients live in. Quiet hours are kept in the patient's own zone, so staff set
 * it for a patient who lives elsewhere; "Clinic's zone" leaves it unset.
 */
const PATIENT_ZONES: ReadonlyArray<[string, string]> = [
  ['America/New_York', 'Eastern'],
  ['America/Chicago', 'Central'],
  ['America/Denver', 'Mountain'],
  ['America/Phoenix', 'Arizona'],
  ['America/Los_Angeles', 'Pacific'],
  ['America/Anchorage', 'Alaska'],
  ['Pacific/Honolulu', 'Hawaii'],
  ['America/Puerto_Rico', 'Atlantic (Puerto Rico)'],
];

export function patientZoneSelect(current?: string): HTMLSelectElement {
  const known = PATIENT_ZONES.some(([zone]) => zone === current);
  return h(
    'select',
    { name: 'timeZone' },
    option('', "Clinic's zone", !current),
    ...PATIENT_ZONES.map(([zone, label]) => option(zone, `${label} (${zone})`, zone === current)),
    // A zone set through the API or a CSV import that is not in the list stays selectable.
    current && !known ? option(current, current, true) : null,
  );
}

/** The language a patient's texts go out in; absent means English. */
export function languageSelect(current?: string): HTMLSelectElement {
  return h(
    'select',
    { name: 'language' },
    option('en', 'English', current !== 'es'),
    option('es', 'Spanish (Español)', current === 'es'),
  );
}
