/** Skeleton so the shell can import the view; the real view replaces it. */
export function UploadView() {
  return <section aria-label="Upload">Upload</section>;
}
