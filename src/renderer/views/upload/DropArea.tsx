import { useRef, useState, type DragEvent } from 'react';
import { FileTrigger } from 'react-aria-components';
import { hostKind } from '../../api/appApi';
import { Button } from '../../components/Button';
import { captureDrop, pickedFromFileList, type Picked } from './readPicked';
import styles from './UploadView.module.css';

/**
 * Where files come in: dropped (files and whole folders), or chosen with the system's pickers;
 * on a page served by `quire serve`, also from the Quire machine's own folders.
 *
 * Native drag events rather than react-aria's DropZone: the desktop window needs each dropped
 * folder as the File the preload turns into a real path, and a browser needs the drop's
 * FileSystemEntry tree for paths inside folders; DropZone hands over neither. Keyboard and screen
 * reader users have the same choices through the buttons, which are ordinary focusable controls.
 */
export function DropArea(props: { onPicked: (picked: Promise<Picked>) => void; onBrowseHost: () => void; isDisabled: boolean; isCompact: boolean }) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);

  const accepts = (event: DragEvent) => !props.isDisabled && Array.from(event.dataTransfer.types).includes('Files');

  const onDragEnter = (event: DragEvent) => {
    if (!accepts(event)) return;
    event.preventDefault();
    depth.current += 1;
    setOver(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  // Entering a child fires leave on the parent: only the last leave means the pointer went away.
  const onDragLeave = () => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    if (props.isDisabled) return;
    props.onPicked(captureDrop(event.dataTransfer)());
  };

  return (
    <div
      className={styles.dropZone}
      data-testid="drop-zone"
      data-drop-target={over || undefined}
      data-compact={props.isCompact || undefined}
      aria-disabled={props.isDisabled || undefined}
      role="group"
      aria-labelledby="drop-zone-title"
      aria-describedby="drop-zone-help"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <p id="drop-zone-title" className={styles.dropTitle}>
        {over ? 'Drop to add them' : props.isCompact ? 'Drop more files or folders here' : 'Drop files or folders here'}
      </p>
      <p id="drop-zone-help" className={props.isCompact ? 'visually-hidden' : styles.dropHelp}>
        Manuscripts, audio chapters, covers — a folder keeps its structure in the bucket. Nothing is sent until you confirm.
      </p>
      <div className={styles.pickers}>
        <FileTrigger allowsMultiple onSelect={(list) => list && list.length > 0 && props.onPicked(Promise.resolve(pickedFromFileList(list, false)))}>
          <Button isDisabled={props.isDisabled}>Choose files…</Button>
        </FileTrigger>
        <FileTrigger acceptDirectory onSelect={(list) => list && list.length > 0 && props.onPicked(Promise.resolve(pickedFromFileList(list, true)))}>
          <Button isDisabled={props.isDisabled}>Choose a folder…</Button>
        </FileTrigger>
        {hostKind === 'web' && (
          <Button isDisabled={props.isDisabled} onPress={props.onBrowseHost}>
            Add from the Quire machine…
          </Button>
        )}
      </div>
    </div>
  );
}
