import { create } from 'zustand';

/**
 * One polite live region for the whole window: "Copied", "3 uploads paused". Views call
 * announce(); the text changes even when the same words come twice, so it is read again.
 */
const useAnnouncement = create<{ text: string; serial: number }>(() => ({ text: '', serial: 0 }));

export function announce(text: string): void {
  useAnnouncement.setState((s) => ({ text, serial: s.serial + 1 }));
}

export function Announcer() {
  const { text, serial } = useAnnouncement();
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {/* A zero-width space on alternate announcements makes a repeated message a change. */}
      {text ? `${text}${serial % 2 ? '' : '\u200b'}` : ''}
    </div>
  );
}
