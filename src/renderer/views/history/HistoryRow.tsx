import { useState } from 'react';
import { Menu, MenuItem, MenuTrigger, Popover, type Key } from 'react-aria-components';
import type { ConnectionSummary } from '../../../shared/connection';
import { formatBytes } from '../../../shared/format';
import { objectUrl } from '../../../shared/objectUrl';
import type { UploadSummary } from '../../../shared/upload';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { useCopy } from '../../components/useCopy';
import { ColorSwatch } from '../../components/ColorSwatch';
import { setSummaryText, uploadName } from '../../components/imageWords';
import { linkLifetimes } from './linkLifetimes';
import { verifyText } from './verifyText';
import styles from './HistoryView.module.css';

/**
 * One verified upload: copy its public address (the CDN's, or the bucket's), copy a share link
 * that lasts 1 hour to 7 days, open it, or ask the bucket again whether it holds exactly the file.
 */
export function HistoryRow({ upload, connection }: { upload: UploadSummary; connection: ConnectionSummary | undefined }) {
  const { copied, error: copyError, copy } = useCopy();
  const [link, setLink] = useState<{ url: string; expiresAt: number } | null>(null);
  const [verdict, setVerdict] = useState<{ ok: boolean; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'link' | 'verify' | 'open' | null>(null);
  const name = uploadName(upload);
  const publicUrl = connection ? objectUrl(connection, upload.objectKey) : null;
  // A CDN (and the bucket's address) serves only public objects; a private one needs a share link.
  const isPublic = upload.visibility === 'public-read';

  async function makeLink(seconds: number) {
    if (!connection) return null;
    return call('objects.link', { key: upload.objectKey, expiresInSeconds: seconds, connection: connection.name });
  }

  async function shareLink(key: Key) {
    const lifetime = linkLifetimes.find((l) => l.id === key);
    if (!lifetime) return;
    setBusy('link');
    setError(null);
    try {
      const made = await makeLink(lifetime.seconds);
      if (made) {
        setLink(made);
        await copy(made.url, `Share link copied, valid for ${lifetime.label}`);
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function open() {
    setError(null);
    // A public object opens at its address; a private one through a fresh one-hour link.
    if (isPublic && publicUrl) {
      window.open(publicUrl, '_blank', 'noopener,noreferrer');
      return;
    }
    setBusy('open');
    try {
      const made = await makeLink(3600);
      if (made) window.open(made.url, '_blank', 'noopener,noreferrer');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function verify() {
    setBusy('verify');
    setError(null);
    setVerdict(null);
    try {
      const check = await call('objects.verify', { key: upload.objectKey, ...(connection ? { connection: connection.name } : {}) });
      setVerdict({ ok: check.matches, text: verifyText(check) });
    } catch (e) {
      setVerdict({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <li className={styles.row} data-testid="history-row" data-key={upload.objectKey}>
      <div className={styles.what}>
        <span className={styles.name} title={upload.objectKey}>
          {name}
        </span>
        <span className={styles.sub}>
          {connection ? `${connection.name} · ` : ''}
          {upload.objectKey}
        </span>
        <span className={styles.sub}>
          {formatBytes(upload.size)} · {upload.category}
          {upload.verifiedAt ? ` · verified ${new Date(upload.verifiedAt).toLocaleString()}` : ''}
        </span>
        {upload.imageSet && (
          <span className={styles.set} data-testid="history-set">
            <ColorSwatch color={upload.imageSet.dominantColor} />
            {setSummaryText(upload.imageSet)}
            {upload.imageSet.notices.length > 0 ? ` · ${upload.imageSet.notices.join('; ')}` : ''}
          </span>
        )}
      </div>
      <div className={styles.actions}>
        <Button size="small" isDisabled={!publicUrl} onPress={() => publicUrl && void copy(publicUrl, connection?.cdnBaseUrl ? 'CDN URL copied' : 'URL copied')} aria-label={`Copy URL of ${name}`}>
          Copy URL
        </Button>
        <MenuTrigger>
          <Button size="small" isDisabled={!connection || busy === 'link'} aria-label={`Share link for ${name}`}>
            Share link…
          </Button>
          <Popover className={styles.popover} placement="bottom end">
            <Menu className={styles.menu} aria-label="Link valid for" onAction={(key) => void shareLink(key)}>
              {linkLifetimes.map((l) => (
                <MenuItem key={l.id} id={l.id} className={styles.menuItem}>
                  {`Valid for ${l.label}`}
                </MenuItem>
              ))}
            </Menu>
          </Popover>
        </MenuTrigger>
        <Button size="small" isDisabled={!connection || busy === 'open'} onPress={() => void open()} aria-label={`Open ${name}`}>
          Open
        </Button>
        <Button size="small" isDisabled={busy === 'verify'} onPress={() => void verify()} aria-label={`Verify ${name} again`}>
          {busy === 'verify' ? 'Verifying…' : 'Verify again'}
        </Button>
      </div>
      <div className={styles.results}>
        {copied && (
          <span className={styles.ok} data-testid="copied">
            {copied}
          </span>
        )}
        {copyError && <span className={styles.bad}>{copyError}</span>}
        {link && (
          <span className={styles.link}>
            <label>
              <span className={styles.sub}>Share link, expires {new Date(link.expiresAt).toLocaleString()}: </span>
              <input className={styles.linkInput} readOnly value={link.url} data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
            </label>
          </span>
        )}
        {verdict && (
          <span className={verdict.ok ? styles.ok : styles.bad} role="status" data-testid="verify-result">
            {verdict.text}
          </span>
        )}
        {error && (
          <span className={styles.bad} role="alert">
            {error}
          </span>
        )}
      </div>
    </li>
  );
}
