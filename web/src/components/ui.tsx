// Building blocks shared by the pages: links, buttons that show progress, problem
// messages, dialogs, menus, badges and the GitLab mark.
import type { ComponentChildren, JSX, RefObject } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { siGitlab } from 'simple-icons';
import { CircleAlert, CircleCheck, Info, TriangleAlert } from 'lucide-preact';
import { ApiError, errorOf } from '../api';
import { onLinkClick } from '../router';

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick} />;
}

// The GitLab mark. With `label` it is an image with that accessible name; without, it is
// decoration next to text that already names GitLab.
export function GitLabIcon({ label, size = 20 }: { label?: string; size?: number }) {
  return (
    <svg
      class="gitlab-icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
      focusable="false"
    >
      {label && <title>{label}</title>}
      <path d={siGitlab.path} fill="currentColor" />
    </svg>
  );
}

// An action's progress and failure, for buttons and forms.
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (e) {
        if (mounted.current) setError(errorOf(e));
        return undefined;
      } finally {
        if (mounted.current) setBusy(false);
      }
    },
    [fn],
  );
  return { run, busy, error, setError };
}

// Loads data on mount and when `deps` change; `reload` fetches again.
// Loads `fn()` and again whenever `deps` change. While a reload runs the last data stays on
// screen with `loading` set, from the very render in which `deps` changed (before the effect
// starts the request), so a panel can say it is busy instead of showing old data as current.
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const key = JSON.stringify(deps);
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean; key?: string }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, loading: true, key }));
    fn().then(
      (data) => live && setState({ data, loading: false, key }),
      (e) => live && setState({ error: errorOf(e), loading: false, key }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false, key }), [key]);
  // Changes the loaded data from its latest value (safe across awaits, unlike `set`).
  const update = useCallback((change: (data: T | undefined) => T | undefined) => setState((s) => ({ ...s, data: change(s.data) })), []);
  const { key: loadedFor, ...shown } = state;
  return { ...shown, loading: state.loading || loadedFor !== key, reload, set, update };
}

type ButtonProps = JSX.HTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'contrast' | 'outline' | 'danger' | 'ghost';
  type?: 'button' | 'submit';
  form?: string;
  disabled?: boolean;
};

// A button that shows a spinner and ignores clicks while its action runs.
export function Button({ busy, variant = 'primary', class: cls, disabled, type = 'button', children, ...rest }: ButtonProps) {
  const variantClass =
    variant === 'primary' ? '' : variant === 'outline' ? 'outline' : variant === 'danger' ? 'danger' : variant === 'ghost' ? 'ghost' : variant;
  return (
    <button
      type={type}
      class={[variantClass, cls].filter(Boolean).join(' ') || undefined}
      aria-busy={busy ? 'true' : undefined}
      disabled={disabled || busy}
      {...rest}
    >
      {children}
    </button>
  );
}

// A failed action: what happened (the server's `detail`) and what to do next.
export function ErrorNotice({ error, action }: { error: ApiError | null | undefined; action?: string }) {
  if (!error) return null;
  return (
    <div class="notice notice-error" role="alert">
      <CircleAlert class="notice-icon" aria-hidden="true" />
      <div>
        <strong>{action ? `${action} failed: ` : ''}</strong>
        {error.detail || error.title}
        <div class="notice-hint">{error.hint()}</div>
      </div>
    </div>
  );
}

export function Notice({ kind, children, title }: { kind: 'info' | 'success' | 'warning'; children: ComponentChildren; title?: string }) {
  const Icon = kind === 'success' ? CircleCheck : kind === 'warning' ? TriangleAlert : Info;
  return (
    <div class={`notice notice-${kind}`} role={kind === 'warning' ? 'alert' : 'status'}>
      <Icon class="notice-icon" aria-hidden="true" />
      <div>
        {title && <strong class="notice-title">{title}</strong>}
        {children}
      </div>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" aria-busy="true">
      {label}
    </p>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'info' | 'success' | 'warning' | 'danger'; children: ComponentChildren }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

// A modal dialog on the native <dialog> element: focus moves in and back, Escape closes.
export function Dialog({
  open,
  title,
  onClose,
  children,
  footer,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose} class={wide ? 'wide' : undefined}>
      {open && (
        <article>
          <header>
            <button type="button" class="dialog-close" aria-label="Close" onClick={onClose} />
            <h2 id={titleId}>{title}</h2>
          </header>
          {children}
          {footer && <footer>{footer}</footer>}
        </article>
      )}
    </dialog>
  );
}

export interface MenuItem {
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  icon?: ComponentChildren;
}

// A menu button (WAI-ARIA APG "menu button"): Enter, Space or ArrowDown opens it; arrows,
// Home and End move; Escape closes and returns focus to the button.
export function MenuButton({ label, items, busy, icon }: { label: string; items: MenuItem[]; busy?: boolean; icon?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const menuId = useId();
  const buttonId = useId();

  const openAt = (index: number) => {
    setActive(index);
    setOpen(true);
  };
  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };
  useEffect(() => {
    if (open) (menuRef.current?.children[active] as HTMLElement | undefined)?.focus();
  }, [open, active]);
  useOutsideClick(menuRef, buttonRef, open, () => setOpen(false));

  const choose = (item: MenuItem) => {
    if (item.disabled) return;
    close(true);
    item.onSelect();
  };
  const onMenuKey = (e: KeyboardEvent) => {
    const last = items.length - 1;
    if (e.key === 'ArrowDown') setActive((a) => (a >= last ? 0 : a + 1));
    else if (e.key === 'ArrowUp') setActive((a) => (a <= 0 ? last : a - 1));
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(last);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') setOpen(false);
    else if (e.key === 'Enter' || e.key === ' ') choose(items[active]);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
  };
  return (
    <div class="menu">
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        class="secondary"
        aria-haspopup="menu"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls={menuId}
        aria-busy={busy ? 'true' : undefined}
        disabled={busy}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            openAt(e.key === 'ArrowDown' ? 0 : items.length - 1);
          }
        }}
      >
        {icon}
        {label}
        <span class="caret" aria-hidden="true" />
      </button>
      <ul id={menuId} ref={menuRef} role="menu" aria-labelledby={buttonId} hidden={!open} onKeyDown={onMenuKey}>
        {items.map((item, i) => (
          <li
            key={item.label}
            role="menuitem"
            tabIndex={i === active ? 0 : -1}
            aria-disabled={item.disabled ? 'true' : undefined}
            onClick={() => choose(item)}
            onMouseEnter={() => setActive(i)}
          >
            {item.icon}
            {item.label}
          </li>
        ))}
      </ul>
    </div>
  );
}

function useOutsideClick(a: RefObject<HTMLElement>, b: RefObject<HTMLElement>, active: boolean, onOutside: () => void) {
  useEffect(() => {
    if (!active) return;
    const handler = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!a.current?.contains(target) && !b.current?.contains(target)) onOutside();
    };
    document.addEventListener('mousedown', handler);
    return () => document.removeEventListener('mousedown', handler);
  }, [active, a, b, onOutside]);
}

// A labelled form field; `error` marks it invalid and says why (for 422 problems).
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  children: (props: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <label for={id} class="field">
      <span class="field-label">{label}</span>
      {children({ id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described })}
      {error && (
        <small id={errorId} class="field-error">
          {error}
        </small>
      )}
      {hint && !error && <small id={hintId}>{hint}</small>}
    </label>
  );
}

// The 422 message for `field`, if the last error was about it.
export function fieldError(error: ApiError | null | undefined, ...fields: string[]): string | null {
  if (!error || error.status !== 422 || !error.field) return null;
  return fields.includes(error.field) ? error.detail : null;
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div role="group" class="copy-group">
        <input id={id} type="text" readOnly value={value} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            } catch {
              document.getElementById(id)?.focus();
            }
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

export function PageHeader({ title, children, crumbs }: { title: string; children?: ComponentChildren; crumbs?: { label: string; href: string }[] }) {
  return (
    <header class="page-header">
      {crumbs && (
        <nav aria-label="Breadcrumb" class="crumbs">
          <ol>
            {crumbs.map((c) => (
              <li key={c.href}>
                <Link href={c.href}>{c.label}</Link>
              </li>
            ))}
            <li aria-current="page">{title}</li>
          </ol>
        </nav>
      )}
      <div class="page-title-row">
        <h1>{title}</h1>
        {children && <div class="page-actions">{children}</div>}
      </div>
    </header>
  );
}

// Tabs that are pages of their own (each has a URL): a navigation list with aria-current.
export function TabNav({ label, tabs, current }: { label: string; tabs: { label: string; href: string }[]; current: string }) {
  return (
    <nav aria-label={label} class="tab-nav">
      <ul>
        {tabs.map((t) => (
          <li key={t.href}>
            <Link href={t.href} aria-current={t.href === current ? 'page' : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AdminOnly() {
  return (
    <Notice kind="info" title="This page is for administrators.">
      Ask a worklog administrator if you need something changed here. <Link href="/my-work">Go to My Work</Link>
    </Notice>
  );
}

export function describePerson(p: unknown): string {
  if (p === null || p === undefined || p === '') return '';
  if (p === 'self') return 'themselves';
  if (typeof p === 'object') {
    const r = p as { name?: string; email?: string; id?: number };
    return r.name || r.email || (r.id !== undefined ? `user #${r.id}` : '');
  }
  if (typeof p === 'number') return `user #${p}`;
  return String(p);
}
