import { useState } from 'preact/hooks';
import { api, setCsrfToken, type User } from '../api';
import { Button, ErrorNotice, Field, fieldError, Notice, useAction } from '../components/ui';

export function SignIn({ reason, onSignedIn }: { reason?: string; onSignedIn: (user: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction(async () => {
    const { user, csrf_token } = await api.signIn(email.trim(), password);
    setCsrfToken(csrf_token);
    onSignedIn(user);
  });
  return (
    <main class="sign-in">
      <article class="sign-in-card">
        <header>
          <div class="brand brand-large">
            <svg viewBox="0 0 32 32" width="36" height="36" aria-hidden="true">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <circle cx="16" cy="16" r="9" fill="none" stroke="#fff" stroke-width="2.5" />
              <path d="M16 10v6l4 3" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round" />
            </svg>
            <span>worklog</span>
          </div>
          <h1>Sign in</h1>
        </header>
        {reason && <Notice kind="info">{reason}</Notice>}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void signIn.run();
          }}
        >
          <Field label="Email" error={fieldError(signIn.error, 'email')}>
            {(p) => (
              <input {...p} type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Password" error={fieldError(signIn.error, 'password')}>
            {(p) => (
              <input
                {...p}
                type="password"
                name="password"
                autoComplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            )}
          </Field>
          <ErrorNotice error={signIn.error && signIn.error.status === 401 ? null : signIn.error} action="Sign-in" />
          {signIn.error?.status === 401 && (
            <div class="notice notice-error" role="alert">
              <div>
                <strong>That email and password do not match an account.</strong>
                <div class="notice-hint">Check both and try again. Forgotten your password? Ask a worklog administrator to set a new one.</div>
              </div>
            </div>
          )}
          <Button type="submit" busy={signIn.busy} class="full">
            Sign in
          </Button>
        </form>
        <footer>
          <small>
            First time here? When worklog starts on an empty database it creates an administrator and writes its password to a
            file in the data directory; the server's log says where.
          </small>
        </footer>
      </article>
    </main>
  );
}
