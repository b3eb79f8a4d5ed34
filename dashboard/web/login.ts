import { ApiError, signIn, type Me } from './api.ts';
import { h } from './dom.ts';
import { language, setLanguage, t } from './i18n.ts';

/** Renders the sign-in form into `root` and resolves with the user once signed in. */
export function showLogin(root: HTMLElement): Promise<Me> {
  return new Promise((resolve) => {
    const render = (): void => {
      const username = h('input', { attrs: { name: 'username', autocomplete: 'username', required: '', maxlength: '64' } });
      const password = h('input', { attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '', maxlength: '256' } });
      const error = h('p', { class: 'login-error', attrs: { role: 'alert', 'aria-live': 'polite' } });
      const submit = h('button', { text: t('login.submit'), attrs: { type: 'submit' } });
      const form = h(
        'form',
        { class: 'login-card', attrs: { 'aria-labelledby': 'login-title' } },
        h('h1', { text: t('app.title'), attrs: { id: 'login-title' } }),
        h('p', { class: 'login-city', text: t('app.city') }),
        h('label', {}, h('span', { text: t('login.username') }), username),
        h('label', {}, h('span', { text: t('login.password') }), password),
        error,
        submit,
        h('button', {
          class: 'link-button',
          text: t('app.language'),
          attrs: { type: 'button' },
          on: { click: () => (setLanguage(language() === 'vi' ? 'en' : 'vi'), render()) },
        }),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        submit.disabled = true;
        error.textContent = '';
        signIn(username.value.trim(), password.value).then(resolve, (err: unknown) => {
          submit.disabled = false;
          error.textContent = err instanceof ApiError && err.status === 401 ? t('login.failed') : t('login.error');
          password.select();
        });
      });
      root.replaceChildren(h('main', { class: 'login' }, form));
      username.focus();
    };
    render();
  });
}
