/** Placeholder until the queue view lands (the shell imports it). */
export function QueueView() {
  return <section aria-label="Queue">Queue</section>;
}
