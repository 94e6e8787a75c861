/**
 * The simulator's browser script and style, served as files so the pages carry no inline script and run
 * under a strict CSP. Every message body is written with textContent, never as HTML: texts are
 * untrusted input (a patient can type `<script>`).
 */

export const SIM_CSS = `body{font-family:system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111}
header{background:#1f2937;padding:.6rem 1rem}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:42rem;margin:1rem auto;padding:0 1rem}
table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:.5rem;border-bottom:1px solid #e5e7eb;text-align:left}
.thread{display:flex;flex-direction:column;gap:.5rem;margin:1rem 0}
.msg{max-width:80%;padding:.5rem .75rem;border-radius:1rem;white-space:pre-wrap;word-wrap:break-word}
.msg.in{align-self:flex-start;background:#e5e7eb}.msg.out{align-self:flex-end;background:#2563eb;color:#fff}
.meta{font-size:.75rem;opacity:.75;margin-top:.25rem}
form{display:flex;gap:.5rem;margin:1rem 0}form input{flex:1;padding:.5rem;font-size:1rem}
button{padding:.5rem 1rem;font-size:1rem}.note{color:#6b7280;font-size:.85rem}.error{color:#b91c1c}`;

export const SIM_JS = `'use strict';
(() => {
  const app = document.getElementById('app');
  const pageType = document.body.dataset.page;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  async function sendReply(from, body) {
    const response = await fetch('/sim/api/reply', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, body }),
    });
    return { ok: response.ok, data: await response.json() };
  }

  function phoneLink(phone) {
    const link = el('a', phone);
    link.href = '/sim/phone/' + encodeURIComponent(phone);
    return link;
  }

  function replyForm(fixedFrom, onSent) {
    const form = el('form');
    const from = el('input');
    from.placeholder = '+15551234567';
    from.required = true;
    if (fixedFrom) { from.value = fixedFrom; from.type = 'hidden'; }
    const body = el('input');
    body.placeholder = fixedFrom ? 'Reply, e.g. YES' : 'Text to the clinic';
    body.required = true;
    body.maxLength = 1600;
    const button = el('button', 'Send');
    button.type = 'submit';
    const status = el('p', '', 'note');
    form.append(from, body, button);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const { ok, data } = await sendReply(from.value.trim(), body.value);
        if (!ok) { status.textContent = data.message || 'Failed'; status.className = 'error'; return; }
        status.className = 'note';
        status.textContent = 'Webhook answered HTTP ' + data.status +
          (data.twimlMessages.length ? ' with ' + data.twimlMessages.length + ' message(s)' : ' with no message');
        body.value = '';
        onSent(from.value.trim());
      } catch (error) {
        status.textContent = String(error);
        status.className = 'error';
      } finally {
        button.disabled = false;
      }
    });
    return [form, status];
  }

  async function renderIndex(container) {
    const { phones } = await getJson('/sim/api/phones');
    const table = el('table');
    const head = el('tr');
    head.append(el('th', 'Phone'), el('th', 'Messages'), el('th', 'Last'), el('th', 'Opted out'));
    table.append(head);
    for (const phone of phones) {
      const row = el('tr');
      const cell = el('td');
      cell.append(phoneLink(phone.phone));
      row.append(cell, el('td', String(phone.messages)), el('td', new Date(phone.lastAt).toLocaleTimeString()),
        el('td', phone.optedOut ? 'yes' : ''));
      table.append(row);
    }
    container.replaceChildren(el('h1', 'Simulated phones'),
      phones.length ? table : el('p', 'No texts yet. Log a cancellation and offers will appear here.', 'note'));
  }

  async function renderThread(container, phone) {
    const { messages } = await getJson('/sim/api/messages?phone=' + encodeURIComponent(phone));
    const thread = el('div', undefined, 'thread');
    for (const message of messages) {
      const bubble = el('div', undefined, 'msg ' + (message.direction === 'inbound' ? 'out' : 'in'));
      bubble.append(el('div', message.body));
      const meta = new Date(message.createdAt).toLocaleTimeString() + ' · ' + message.status +
        (message.errorCode ? ' (error ' + message.errorCode + ')' : '') +
        ' · ' + message.segments + ' segment(s) ' + message.encoding;
      bubble.append(el('div', meta, 'meta'));
      thread.append(bubble);
    }
    container.replaceChildren(thread.childElementCount ? thread : el('p', 'No messages yet.', 'note'));
  }

  if (pageType === 'index') {
    const list = el('div');
    const [form, status] = replyForm(undefined, (from) => { location.href = '/sim/phone/' + encodeURIComponent(from); });
    app.replaceChildren(list, el('h2', 'Text the clinic from any number'), form, status);
    const refresh = () => renderIndex(list).catch((error) => list.replaceChildren(el('p', String(error), 'error')));
    refresh();
    setInterval(refresh, 2000);
  } else if (pageType === 'phone') {
    const phone = document.body.dataset.phone;
    const threadBox = el('div');
    const [form, status] = replyForm(phone, () => refreshThread());
    app.replaceChildren(el('h1', phone), threadBox, form, status,
      el('p', 'Replies go to the real inbound webhook, signed as Twilio signs them.', 'note'));
    const refreshThread = () => renderThread(threadBox, phone)
      .catch((error) => threadBox.replaceChildren(el('p', String(error), 'error')));
    refreshThread();
    setInterval(refreshThread, 1500);
  }
})();
`;
