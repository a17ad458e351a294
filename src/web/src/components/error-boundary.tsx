import { Component, type ReactNode } from 'react';
import { ErrorNotice } from './status.tsx';

/** A page that throws while drawing shows the error in words, and the rest of the app keeps working. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown }> {
  override state: { error: unknown } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error !== undefined) this.setState({ error: undefined });
  }

  override render() {
    if (this.state.error !== undefined) return <ErrorNotice error={new Error(`This page failed to draw: ${(this.state.error as Error).message ?? String(this.state.error)}`)} />;
    return this.props.children;
  }
}
