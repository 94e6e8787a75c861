import { ApiError, describeError, SessionExpiredError } from '../api/client.js';
import { type Child, h } from './dom.js';
import { keepDraft } from './drafts.js';

export interface FormDialogOptions {
  title: string;
  /** Fields (labelled controls with `name`s). */
  body: Child;
  submitLabel: string;
  danger?: boolean;
  /** Keeps typed input across an expired session. */
  draftKey?: string;
  /** Does the work; throw to keep the dialog open with the error shown in it. */
  onSubmit: (data: FormData) => Promise<void>;
}

/**
 * Puts each of a 400's field problems beside the control it is about (matched by `name`, "locationIds.0"
 * → "locationIds"), marks the control invalid, and returns the problems no control was found for. Every
 * earlier mark is cleared first. Messages are text only.
 */
export function showFieldErrors(form: HTMLFormElement, error: unknown): ApiError['fields'] {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const marked of form.querySelectorAll('[aria-invalid="true"]')) {
    marked.removeAttribute('aria-invalid');
    const hint = marked
      .getAttribute('aria-describedby')
      ?.split(' ')
      .filter((id) => !id.endsWith('-error'));
    if (hint?.length) marked.setAttribute('aria-describedby', hint.join(' '));
    else marked.removeAttribute('aria-describedby');
  }
  if (!(error instanceof ApiError)) return [];
  const unplaced: ApiError['fields'] = [];
  for (const problem of error.fields) {
    const name = problem.field.split('.')[0] ?? '';
    const control = [...form.elements].find(
      (el): el is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement =>
        (el instanceof HTMLInputElement ||
          el instanceof HTMLSelectElement ||
          el instanceof HTMLTextAreaElement) &&
        el.name === name,
    );
    const wrapper = control?.closest('.field');
    if (!control || !wrapper) {
      unplaced.push(problem);
      continue;
    }
    const id = `${control.id || name}-error`;
    wrapper.append(h('small', { id, class: 'field-error' }, problem.message));
    control.setAttribute('aria-invalid', 'true');
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${id}` : id);
  }
  return unplaced;
}

/**
 * A modal form on the native <dialog>: focus moves in and is trapped by the browser, Escape closes it,
 * focus returns to the opener. Errors from the API are shown inside the dialog next to the form.
 */
export function formDialog(options: FormDialogOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h(
      'button',
      { type: 'submit', class: ['btn', options.danger ? 'btn-danger' : 'btn-primary'] },
      options.submitLabel,
    );
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', value: 'cancel' }, 'Cancel');
    const form = h(
      'form',
      { class: 'dialog-form', method: 'dialog', novalidate: true },
      options.body,
      error,
      h('div', { class: 'row end' }, cancel, submit),
    );
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, options.title),
      form,
    );
    const draft = options.draftKey ? keepDraft(form, options.draftKey) : undefined;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(ok);
    };
    cancel.addEventListener('click', () => {
      draft?.clear();
      finish(false);
    });
    dialog.addEventListener('cancel', () => {
      draft?.clear();
      finish(false);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      submit.disabled = true;
      error.textContent = '';
      options
        .onSubmit(new FormData(form))
        .then(() => {
          draft?.clear();
          finish(true);
        })
        .catch((e: unknown) => {
          // The sign-in screen replaces everything; the draft brings the input back.
          if (e instanceof SessionExpiredError) {
            finish(false);
            return;
          }
          // A 400 names its fields: each message goes beside its control; the line below keeps the rest.
          const unplaced = showFieldErrors(form, e);
          error.textContent =
            e instanceof ApiError && e.fields.length > 0 && unplaced.length === 0
              ? 'Not saved: check the marked fields.'
              : describeError(e);
          submit.disabled = false;
          form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
        });
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector<HTMLElement>('input, select, textarea, button[type="submit"]')?.focus();
  });
}
