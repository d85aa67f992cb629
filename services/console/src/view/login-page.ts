import { html } from './html.ts';
import { documentOf } from './page.ts';

/** Why the login form is shown again. */
export type LoginNotice = 'expired' | 'refused' | 'forbidden' | undefined;

const NOTICES: Record<Exclude<LoginNotice, undefined>, string> = {
  expired: 'Your access token expired or is no longer valid: sign in again.',
  refused: 'That is not a valid access token for this platform.',
  forbidden: 'This account is not allowed to use the console: ask an operator to add your email or role.',
};

/**
 * The sign-in form: a person pastes an access token (from mobius-user's login, or `npx mobius token`
 * in development). It is posted once, checked, and kept in an HttpOnly cookie; never put in a URL.
 */
export function renderLoginPage(notice: LoginNotice): string {
  return documentOf(
    'Mobius console: sign in',
    html`<main class="login">
  <h1>Mobius console</h1>
  ${notice ? html`<p class="error" role="alert">${NOTICES[notice]}</p>` : null}
  <p>Paste an access token (the JWT mobius-user issues, as for chat). In development: <code>npx mobius token --user &lt;id&gt;</code>.</p>
  <form method="post" action="/login">
    <label for="token">Access token</label>
    <textarea id="token" name="token" rows="5" required autocomplete="off" spellcheck="false"></textarea>
    <p><button type="submit">Sign in</button></p>
  </form>
  <p class="hint">Scripts skip this page: send <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/status</code>.</p>
</main>`,
  );
}
