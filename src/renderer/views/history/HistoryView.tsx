import { useCallback, useEffect, useRef, useState } from 'react';
import { Input, Label, SearchField } from 'react-aria-components';
import { categoryNames, type Category } from '../../../shared/layout';
import type { UploadListInput, UploadSummary } from '../../../shared/upload';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { navigate } from '../../shell/navigation';
import { connectionById, useConnections } from '../../state/connections';
import { useUploads } from '../../state/uploads';
import { HistoryRow } from './HistoryRow';
import styles from './HistoryView.module.css';

const PAGE = 200;

interface Filters {
  text: string;
  connection: string;
  category: Category | '';
}

function listInput(filters: Filters): UploadListInput {
  return {
    status: ['verified'],
    ...(filters.text.trim() ? { text: filters.text.trim() } : {}),
    ...(filters.connection ? { connection: filters.connection } : {}),
    ...(filters.category ? { category: filters.category } : {}),
  };
}

/**
 * Verified uploads, newest first, found by text, connection and kind: the engine filters and
 * pages (the ledger lists oldest first, so pages are taken from the end), and the list is asked
 * again when more uploads are verified.
 */
export function HistoryView() {
  const connections = useConnections();
  const verifiedCount = useUploads((s) => s.counts.verified);
  const [filters, setFilters] = useState<Filters>({ text: '', connection: '', category: '' });
  const [rows, setRows] = useState<UploadSummary[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  /** How many older matches are not shown yet (they sit before this offset). */
  const [olderThan, setOlderThan] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);

  const loadNewest = useCallback(async (current: Filters) => {
    const mine = ++request.current;
    try {
      const head = await call('uploads.list', { ...listInput(current), limit: 1 });
      const offset = Math.max(0, head.total - PAGE);
      const page = head.total === 0 ? head : await call('uploads.list', { ...listInput(current), offset, limit: PAGE });
      if (mine !== request.current) return;
      setRows(head.total === 0 ? [] : [...page.uploads].reverse());
      setTotal(head.total);
      setOlderThan(offset);
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(messageOf(e));
    }
  }, []);

  const loadOlder = useCallback(async () => {
    const mine = ++request.current;
    const offset = Math.max(0, olderThan - PAGE);
    try {
      const page = await call('uploads.list', { ...listInput(filters), offset, limit: olderThan - offset });
      if (mine !== request.current) return;
      setRows((shown) => [...shown, ...[...page.uploads].reverse()]);
      setOlderThan(offset);
    } catch (e) {
      if (mine === request.current) setError(messageOf(e));
    }
  }, [filters, olderThan]);

  // Typing waits a moment before asking; a new verified upload refreshes the list.
  useEffect(() => {
    const timer = setTimeout(() => void loadNewest(filters), filters.text ? 250 : 0);
    return () => clearTimeout(timer);
  }, [filters, verifiedCount, loadNewest]);

  if (connections.loaded && connections.list.length === 0) {
    return (
      <EmptyState title="No connection yet" action={<Button variant="primary" onPress={() => navigate('connections')}>Add a connection</Button>}>
        Verified uploads are listed here. Add a connection to your bucket first.
      </EmptyState>
    );
  }

  const filtering = filters.text.trim() !== '' || filters.connection !== '' || filters.category !== '';
  return (
    <section className={styles.view} aria-labelledby="history-heading">
      <div className={styles.top}>
        <h2 id="history-heading" className={styles.heading}>
          History
        </h2>
        {total !== null && (
          <span className={styles.count} aria-live="polite">
            {total === 0 ? 'No verified upload' : `${total} verified ${total === 1 ? 'upload' : 'uploads'}${filtering ? ' match' : ''}`}
          </span>
        )}
      </div>
      <div className={styles.filters} role="search">
        <SearchField className={styles.search} value={filters.text} onChange={(text) => setFilters((f) => ({ ...f, text }))}>
          <Label className={styles.filterLabel}>Search</Label>
          <Input className={styles.input} placeholder="File name or key" data-testid="history-search" />
        </SearchField>
        <label className={styles.filter}>
          <span className={styles.filterLabel}>Connection</span>
          <select className={styles.input} value={filters.connection} onChange={(e) => setFilters((f) => ({ ...f, connection: e.target.value }))}>
            <option value="">All connections</option>
            {connections.list.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.filter}>
          <span className={styles.filterLabel}>Kind</span>
          <select className={styles.input} value={filters.category} onChange={(e) => setFilters((f) => ({ ...f, category: e.target.value as Category | '' }))}>
            <option value="">All kinds</option>
            {categoryNames.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {total === 0 && !filtering ? (
        <EmptyState title="Nothing verified yet" action={<Button variant="primary" onPress={() => navigate('upload')}>Go to Upload</Button>}>
          Once an upload is verified against the bucket, it is listed here with its address and share links.
        </EmptyState>
      ) : total === 0 ? (
        <p className={styles.muted}>No verified upload matches. Change the search or the filters.</p>
      ) : (
        <>
          <ul className={styles.list} aria-label="Verified uploads">
            {rows.map((upload) => (
              <HistoryRow key={upload.id} upload={upload} connection={connectionById(connections.list, upload.connectionId)} />
            ))}
          </ul>
          {olderThan > 0 && (
            <Button onPress={() => void loadOlder()} className={styles.more}>
              Show {Math.min(PAGE, olderThan)} older
            </Button>
          )}
        </>
      )}
    </section>
  );
}
