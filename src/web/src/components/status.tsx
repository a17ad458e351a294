import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function Loading({ what }: { what: string }) {
  return <div className="loading" role="status" aria-live="polite"><span className="spinner" aria-hidden />Loading {what}…</div>;
}

/** An error in words: what went wrong and, where the server said, which field. */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError && error.status ? ` (HTTP ${error.status})` : '';
  return (
    <div className="notice error" role="alert">
      <span>{message}{status}</span>
      {onRetry && <button type="button" className="link" onClick={onRetry}>Retry</button>}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="empty">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
