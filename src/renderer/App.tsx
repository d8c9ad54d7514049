import { useEffect, useState } from 'react';
import type { ConnectionSummary } from '../shared/connection';
import { formatBytes } from '../shared/format';
import type { UploadSummary } from '../shared/upload';

/**
 * A first window onto the engine: connections and the upload queue, live. The full desktop UI
 * (drop zone, progress, storage and analytics) is its own issue; this proves the contract end to end.
 */
export function App() {
  const [connections, setConnections] = useState<ConnectionSummary[]>([]);
  const [uploads, setUploads] = useState<UploadSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const api = window.quire;
    if (!api) {
      setError('Quire is not connected to its engine.');
      return;
    }
    const refresh = async () => {
      const [c, u] = await Promise.all([api.invoke('connections.list', {}), api.invoke('uploads.list', {})]);
      if (c.ok) setConnections(c.value);
      else setError(c.error.message);
      if (u.ok) setUploads(u.value.uploads);
    };
    void refresh();
    // Each event carries the upload's full summary: one row is replaced, nothing is listed again.
    return api.on('upload.changed', ({ upload }) => setUploads((list) => (list.some((u) => u.id === upload.id) ? list.map((u) => (u.id === upload.id ? upload : u)) : [...list, upload])));
  }, []);

  return (
    <main>
      <h1>Quire</h1>
      {error && <p role="alert">{error}</p>}
      <h2>Connections</h2>
      <ul>
        {connections.map((c) => (
          <li key={c.id}>
            {c.name} — {c.bucket} ({c.region}){c.isDefault ? ' · default' : ''}
          </li>
        ))}
      </ul>
      <h2>Uploads</h2>
      <ul>
        {uploads.map((u) => (
          <li key={u.id}>
            {u.objectKey} — {u.status} — {formatBytes(u.bytesDone)} / {formatBytes(u.size)}
          </li>
        ))}
      </ul>
    </main>
  );
}
