/** Placeholder until the history view lands (the shell imports it). */
export function HistoryView() {
  return <section aria-label="History">History</section>;
}
