import { useCallback, useEffect, useState } from 'react';
import { Breadcrumb, Breadcrumbs, Checkbox, Dialog, GridList, GridListItem, Heading, Link, Modal, ModalOverlay, type Selection } from 'react-aria-components';
import type { BrowseResult } from '../../../shared/files';
import { formatBytes } from '../../../shared/format';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import { TextInputField } from '../../components/TextInputField';
import styles from './HostBrowserDialog.module.css';

/**
 * "Add from the Quire machine": a page on another screen cannot hand over paths, so it browses
 * the engine machine's folders (`files.browse`) and hands back the chosen files and folders as
 * paths there. Nothing is copied: the engine reads them where they are.
 *
 * Enter or a click opens a folder; Space or the checkbox chooses an entry; choices made in one
 * folder are kept while another is browsed. With `chooseFolder` (a watch folder) nothing is
 * ticked: the author opens a folder and chooses the open folder itself.
 */
export function HostBrowserDialog(props: { isOpen: boolean; onClose: () => void; onChoose: (paths: string[]) => void; chooseFolder?: boolean }) {
  const [folder, setFolder] = useState<BrowseResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [typedPath, setTypedPath] = useState('');

  const open = useCallback(async (path?: string) => {
    setLoading(true);
    setError(null);
    try {
      const opened = await call('files.browse', path === undefined ? {} : { path });
      setFolder(opened);
      setTypedPath(opened.path);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (props.isOpen && !folder) void open();
  }, [props.isOpen, folder, open]);

  const close = () => {
    setChosen(new Set());
    props.onClose();
  };

  const entries = folder?.entries ?? [];
  const selectedHere = new Set(entries.filter((entry) => chosen.has(entry.path)).map((entry) => entry.path));

  const onSelectionChange = (keys: Selection) => {
    const here = keys === 'all' ? new Set(entries.map((e) => e.path)) : new Set([...keys].map(String));
    setChosen((previous) => {
      const next = new Set([...previous].filter((path) => !entries.some((e) => e.path === path)));
      for (const path of here) next.add(path);
      return next;
    });
  };

  return (
    <ModalOverlay className={styles.overlay} isOpen={props.isOpen} onOpenChange={(isOpen) => !isOpen && close()} isDismissable>
      <Modal className={styles.modal}>
        <Dialog className={styles.dialog} aria-describedby="host-browser-help">
          <Heading slot="title" className={styles.title}>
            {props.chooseFolder ? 'Choose a folder on the Quire machine' : 'Add from the Quire machine'}
          </Heading>
          <p id="host-browser-help" className={styles.help}>
            {props.chooseFolder
              ? 'Folders on the computer running Quire. Open the folder you want, then choose it.'
              : 'Files and folders on the computer running Quire. They are uploaded from where they are; nothing is copied first.'}
          </p>

          {folder && <FolderPath path={folder.path} onOpen={(path) => void open(path)} />}

          {/* A path pasted from a terminal is quicker than clicking down to it. */}
          <form
            className={styles.goTo}
            onSubmit={(event) => {
              event.preventDefault();
              if (typedPath.trim() !== '') void open(typedPath.trim());
            }}
          >
            <TextInputField label="Folder" name="folder" value={typedPath} onChange={setTypedPath} autoComplete="off" spellCheck={false} className={styles.goToField} />
            <Button type="submit" isDisabled={loading}>
              Open
            </Button>
          </form>

          <div className={styles.toolbar}>
            <Button size="small" isDisabled={!folder?.parent || loading} onPress={() => folder?.parent && void open(folder.parent)}>
              ↑ Up to the parent folder
            </Button>
            <span className={styles.count} aria-live="polite">
              {loading ? 'Loading…' : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`}
            </span>
          </div>

          <ErrorMessage>{error}</ErrorMessage>

          <GridList
            aria-label={folder ? `Contents of ${folder.path}` : 'Folder contents'}
            className={styles.list}
            items={entries}
            selectionMode={props.chooseFolder ? 'none' : 'multiple'}
            selectionBehavior="toggle"
            selectedKeys={selectedHere}
            onSelectionChange={onSelectionChange}
            escapeKeyBehavior="none"
            onAction={(key) => {
              const entry = entries.find((e) => e.path === key);
              if (entry?.kind === 'folder') void open(entry.path);
            }}
            renderEmptyState={() => <p className={styles.empty}>{loading ? 'Loading…' : 'This folder is empty.'}</p>}
          >
            {(entry) => (
              <GridListItem id={entry.path} textValue={entry.name} className={styles.item}>
                {!props.chooseFolder && (
                  <Checkbox slot="selection" className={styles.checkbox} aria-label={`Choose ${entry.name}`}>
                    {({ isSelected }) => <span className={styles.box}>{isSelected ? '✓' : ''}</span>}
                  </Checkbox>
                )}
                <span className={styles.name} data-kind={entry.kind}>
                  {entry.name}
                </span>
                <span className={styles.meta}>{entry.kind === 'folder' ? 'Folder — Enter opens it' : formatBytes(entry.size)}</span>
              </GridListItem>
            )}
          </GridList>

          <div className={styles.actions}>
            {props.chooseFolder ? (
              <>
                <span className={`${styles.count} ${styles.name}`}>{folder?.path}</span>
                <Button
                  variant="primary"
                  isDisabled={!folder || loading}
                  onPress={() => {
                    if (folder) props.onChoose([folder.path]);
                    close();
                  }}
                >
                  Choose this folder
                </Button>
              </>
            ) : (
              <>
                <span className={styles.count}>{chosen.size === 0 ? 'Nothing chosen yet' : `${chosen.size} chosen`}</span>
                <Button
                  variant="primary"
                  isDisabled={chosen.size === 0}
                  onPress={() => {
                    props.onChoose([...chosen]);
                    close();
                  }}
                >
                  Add {chosen.size > 0 ? chosen.size : ''} {chosen.size === 1 ? 'entry' : 'entries'}
                </Button>
              </>
            )}
            <Button onPress={close}>Cancel</Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** The folder's path as links to each folder above it ("/ › home › ana › Books"). */
function FolderPath(props: { path: string; onOpen: (path: string) => void }) {
  const crumbs = crumbsOf(props.path);
  return (
    <Breadcrumbs className={styles.crumbs} aria-label="Folder" items={crumbs}>
      {(crumb) => (
        <Breadcrumb id={crumb.path} className={styles.crumb}>
          <Link className={styles.crumbLink} onPress={() => props.onOpen(crumb.path)}>
            {crumb.name}
          </Link>
        </Breadcrumb>
      )}
    </Breadcrumbs>
  );
}

/** `/home/ana` -> `/`, `/home`, `/home/ana`; `C:\Users\ana` -> `C:\`, `C:\Users`, `C:\Users\ana`. */
export function crumbsOf(path: string): { name: string; path: string }[] {
  const separator = path.includes('\\') && !path.startsWith('/') ? '\\' : '/';
  const parts = path.split(separator).filter((part) => part !== '');
  const crumbs: { name: string; path: string }[] = [];
  let current = separator === '/' ? '/' : '';
  if (separator === '/') crumbs.push({ name: '/', path: '/' });
  for (const part of parts) {
    current = separator === '/' ? (current === '/' ? `/${part}` : `${current}/${part}`) : current === '' ? `${part}\\` : current.endsWith('\\') ? `${current}${part}` : `${current}\\${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}
