import { useCallback, useEffect, useRef, useState } from 'react';
import { announce } from './Announcer';

/**
 * Copies text to the clipboard and says so, visibly and to screen readers, for a few seconds.
 * navigator.clipboard works on http://127.0.0.1 (a secure context) and in the desktop window.
 */
export function useCopy(): { copied: string | null; error: string | null; copy: (text: string, what?: string) => Promise<boolean> } {
  const [copied, setCopied] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const copy = useCallback(async (text: string, what = 'Copied') => {
    try {
      await navigator.clipboard.writeText(text);
      setError(null);
      setCopied(what);
      announce(what);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(null), 4000);
      return true;
    } catch {
      const message = 'The clipboard refused: copy the address shown instead.';
      setCopied(null);
      setError(message);
      announce(message);
      return false;
    }
  }, []);
  return { copied, error, copy };
}
