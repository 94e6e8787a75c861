import { describeError, SessionExpiredError } from '../api/client.js';
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
          error.textContent = describeError(e);
          submit.disabled = false;
        });
    });
    document.body.append(dialog);
    dialog.showModal();
    form.querySelector<HTMLElement>('input, select, textarea, button[type="submit"]')?.focus();
  });
}
