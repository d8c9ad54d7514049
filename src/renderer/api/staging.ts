import { STAGING_PATH_PREFIX, STAGING_SIZE_HEADER } from '../../shared/wire';

/**
 * A browser's drop has no paths on the engine's machine, so each file's bytes are PUT to the web
 * host first (`/staging/<batch>/<path>`), and the upload is queued from that copy. XMLHttpRequest,
 * not fetch: fetch reports no upload progress, and a 200 MB audiobook chapter needs a moving bar.
 * Only a few files go at once: the host writes each to disk, and one slow file must not hold the
 * rest behind it.
 */

const FILES_AT_ONCE = 3;

export interface StageResult {
  batch: string;
  /** Relative paths that arrived whole. */
  staged: string[];
  failed: { relativePath: string; message: string }[];
}

/** `/staging/<batch>/<each segment URI-encoded>`: a name may hold `#`, `?` or spaces. */
export function stagingPath(batch: string, relativePath: string): string {
  return STAGING_PATH_PREFIX + batch + '/' + relativePath.split('/').map(encodeURIComponent).join('/');
}

export async function stageFiles(
  files: { file: File; relativePath: string }[],
  onProgress?: (sentBytes: number, totalBytes: number) => void,
  signal?: AbortSignal,
): Promise<StageResult> {
  const batch = crypto.randomUUID();
  const totalBytes = files.reduce((sum, f) => sum + f.file.size, 0);
  const sentPerFile = new Array<number>(files.length).fill(0);
  const result: StageResult = { batch, staged: [], failed: [] };
  const report = () => onProgress?.(sentPerFile.reduce((a, b) => a + b, 0), totalBytes);
  let next = 0;

  async function worker(): Promise<void> {
    while (next < files.length) {
      const index = next++;
      const { file, relativePath } = files[index]!;
      if (signal?.aborted) {
        result.failed.push({ relativePath, message: 'Cancelled before it was sent.' });
        continue;
      }
      try {
        await putFile(stagingPath(batch, relativePath), file, (loaded) => {
          sentPerFile[index] = loaded;
          report();
        }, signal);
        sentPerFile[index] = file.size;
        result.staged.push(relativePath);
      } catch (error) {
        result.failed.push({ relativePath, message: error instanceof Error ? error.message : String(error) });
      }
      report();
    }
  }

  report();
  await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, files.length) }, worker));
  // Keep the author's order in what is reported, whatever order the files finished in.
  const order = new Map(files.map((f, i) => [f.relativePath, i]));
  result.staged.sort((a, b) => order.get(a)! - order.get(b)!);
  result.failed.sort((a, b) => order.get(a.relativePath)! - order.get(b.relativePath)!);
  return result;
}

function putFile(path: string, file: File, onProgress: (loaded: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader(STAGING_SIZE_HEADER, String(file.size));
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(hostMessage(xhr.responseText) ?? `The Quire host refused ${file.name} (HTTP ${xhr.status}).`));
    });
    xhr.addEventListener('error', () => reject(new Error(`${file.name} could not be sent to Quire: the connection broke. Drop it again.`)));
    xhr.addEventListener('abort', () => reject(new Error('Cancelled before it was sent.')));
    const abort = () => xhr.abort();
    signal?.addEventListener('abort', abort, { once: true });
    xhr.addEventListener('loadend', () => signal?.removeEventListener('abort', abort));
    xhr.send(file);
  });
}

/** The host answers a refused file with the engine's error as JSON, or with plain text. */
function hostMessage(body: string): string | null {
  if (!body) return null;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown }; message?: unknown };
    const message = parsed.error?.message ?? parsed.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return body.slice(0, 500);
}
