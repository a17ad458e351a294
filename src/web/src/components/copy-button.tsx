import { useState } from 'react';

/** Copies `text`; says so for a moment, so keyboard and screen-reader users know it worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard access needs a secure origin; fall back to a selection the user can copy.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return <button type="button" className="secondary small" onClick={copy} aria-live="polite">{copied ? 'Copied' : label}</button>;
}
