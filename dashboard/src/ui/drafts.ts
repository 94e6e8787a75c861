/**
 * Unsaved form input survives an expired session: every named field of a form with a draft key is
 * mirrored to sessionStorage as the user types, restored when the form is rendered again (after signing
 * back in, even across a Cognito redirect), and cleared once the form is submitted successfully. Tab-
 * scoped sessionStorage on purpose: drafts can hold a patient's name, and never outlive the tab.
 */

const PREFIX = 'clinic-backfill.draft.';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function controls(form: HTMLFormElement): Control[] {
  return Array.from(form.elements).filter(
    (el): el is Control =>
      (el instanceof HTMLInputElement ||
        el instanceof HTMLSelectElement ||
        el instanceof HTMLTextAreaElement) &&
      el.name !== '' &&
      !(el instanceof HTMLInputElement && (el.type === 'file' || el.type === 'password')),
  );
}

export function keepDraft(form: HTMLFormElement, key: string): { clear(): void } {
  const storageKey = PREFIX + key;
  const saved = sessionStorage.getItem(storageKey);
  if (saved) {
    try {
      const values = JSON.parse(saved) as Record<string, string | boolean>;
      for (const control of controls(form)) {
        const value = values[control.name];
        if (value === undefined) continue;
        if (control instanceof HTMLInputElement && control.type === 'checkbox')
          control.checked = value === true;
        else control.value = String(value);
      }
    } catch {
      sessionStorage.removeItem(storageKey);
    }
  }
  const save = () => {
    const values: Record<string, string | boolean> = {};
    for (const control of controls(form)) {
      values[control.name] =
        control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
    }
    sessionStorage.setItem(storageKey, JSON.stringify(values));
  };
  form.addEventListener('input', save);
  form.addEventListener('change', save);
  return { clear: () => sessionStorage.removeItem(storageKey) };
}

export function hasDraft(key: string): boolean {
  return sessionStorage.getItem(PREFIX + key) !== null;
}

export function clearAllDrafts(): void {
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const key = sessionStorage.key(i);
    if (key?.startsWith(PREFIX)) sessionStorage.removeItem(key);
  }
}
