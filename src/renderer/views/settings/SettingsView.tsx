/** Skeleton so the shell can import the view; the real view replaces it. */
export function SettingsView() {
  return <section aria-label="Settings">Settings</section>;
}
