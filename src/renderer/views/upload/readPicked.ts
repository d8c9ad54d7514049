import { hostKind, pathForFile } from '../../api/appApi';

/**
 * What the author handed over, by drop or picker, in the form the engine can take it:
 * - in the desktop window every file and folder has a real path (the preload's
 *   webUtils.getPathForFile), so the engine walks folders itself;
 * - in a browser there are no paths: each file is read with its path inside the drop
 *   ("My Book/ch1.wav") so its bytes can be staged on the host with the folder's structure kept.
 */
export interface PickedFile {
  file: File;
  /** The file's path inside what was dropped, `/`-separated: its own name for a loose file. */
  relativePath: string;
}

export type Picked = { kind: 'paths'; paths: string[]; unreadable: string[] } | { kind: 'files'; files: PickedFile[]; unreadable: string[] };

/**
 * Takes what a drop carries. Must be called inside the drop handler itself: the browser empties
 * the DataTransfer when the handler returns, so the entries are taken now and read afterwards.
 */
export function captureDrop(dataTransfer: DataTransfer): () => Promise<Picked> {
  if (hostKind === 'desktop') {
    const files = Array.from(dataTransfer.files);
    return async () => pathsOf(files);
  }
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue;
    // Chromium gives entries for a real drop from the file manager, which is the only way to
    // see inside a dropped folder; a drop without them (made by a page) carries plain files.
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push(file);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dataTransfer.files));
  return async () => {
    const files: PickedFile[] = loose.map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
    const unreadable: string[] = [];
    for (const entry of entries) await readEntry(entry, files, unreadable);
    return { kind: 'files', files, unreadable };
  };
}

/** Files from a file picker; with "choose folder" (webkitdirectory) each carries its path in the folder. */
export function pickedFromFileList(list: FileList, isFolder: boolean): Picked {
  const files = Array.from(list);
  if (hostKind === 'desktop') {
    if (!isFolder) return pathsOf(files);
    return foldersOf(files);
  }
  return { kind: 'files', files: files.map((file) => ({ file, relativePath: file.webkitRelativePath || file.name })), unreadable: [] };
}

function pathsOf(files: File[]): Picked {
  const paths: string[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    const path = pathForFile(file);
    if (path) paths.push(path);
    else unreadable.push(file.name);
  }
  return { kind: 'paths', paths, unreadable };
}

/**
 * A folder chosen in the desktop window arrives as its files; the folder is handed to the engine
 * whole (it walks it with its own rules), found by taking the file's path inside the folder off
 * its real path: `/home/a/Book/ch/1.wav` less `ch/1.wav` is `/home/a/Book`.
 */
function foldersOf(files: File[]): Picked {
  const folders = new Set<string>();
  const unreadable: string[] = [];
  for (const file of files) {
    const path = pathForFile(file);
    const inFolder = file.webkitRelativePath;
    if (!path || !inFolder) {
      unreadable.push(inFolder || file.name);
      continue;
    }
    const below = inFolder.split('/').slice(1).join('/');
    // The real path ends with the part below the folder, whatever the system's separator.
    folders.add(path.slice(0, path.length - below.length - 1));
  }
  return { kind: 'paths', paths: [...folders], unreadable };
}

async function readEntry(entry: FileSystemEntry, into: PickedFile[], unreadable: string[]): Promise<void> {
  const relativePath = entry.fullPath.replace(/^\/+/, '') || entry.name;
  try {
    if (isFile(entry)) {
      into.push({ file: await new Promise<File>((resolve, reject) => entry.file(resolve, reject)), relativePath });
    } else if (isDirectory(entry)) {
      for (const child of await readAllEntries(entry)) await readEntry(child, into, unreadable);
    }
  } catch {
    unreadable.push(relativePath);
  }
}

/** A directory reader answers in batches (Chromium: 100 at a time) until it answers with none. */
async function readAllEntries(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}
