/** Skeleton so the shell can import the view; the real view replaces it. */
export function ConnectionsView() {
  return <section aria-label="Connections">Connections</section>;
}
