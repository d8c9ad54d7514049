import { basename } from 'node:path';
import { formatBytes, formatDuration } from '../../shared/format';
import { printable } from '../../shared/printable';
import type { UploadChangedEvent } from '../../shared/upload';

interface FileLine {
  name: string;
  size: number;
  bytesDone: number;
  status: string;
}

/**
 * What `quire upload` and `quire run` show: on a terminal, a bar per file and one for the total
 * with speed and ETA, redrawn in place; elsewhere (logs, CI), one line per change of status.
 */
export class ProgressView {
  private readonly files = new Map<string, FileLine>();
  private readonly startedAt = performance.now();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  private get live(): boolean {
    return this.out.isTTY === true;
  }

  update({ upload, notice }: UploadChangedEvent): void {
    const event = { ...upload, notice, error: upload.status === 'failed' || upload.status === 'waiting' ? upload.error : null };
    const previous = this.files.get(event.id);
    // Keys and messages can carry a name's control characters: printed escaped, never as themselves.
    this.files.set(event.id, { name: printable(basename(event.objectKey)), size: event.size, bytesDone: event.bytesDone, status: event.status });
    if (this.live) {
      if (event.notice || event.error) this.printAbove(printable(`${basename(event.objectKey)}: ${event.error?.message ?? event.notice}`));
      this.timer ??= setInterval(() => this.draw(), 200);
      return;
    }
    if (previous?.status !== event.status || event.notice) {
      const detail = event.error ? ` - ${event.error.message}` : event.notice ? ` - ${event.notice}` : '';
      this.out.write(`${printable(`${event.status.padEnd(10)} ${event.objectKey} (${formatBytes(event.size)})${detail}`)}\n`);
    }
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live) this.draw();
  }

  private printAbove(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    this.draw();
  }

  private clear(): void {
    if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[0J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const width = Math.max(20, Math.min(40, (this.out.columns ?? 80) - 60));
    const lines: string[] = [];
    let total = 0;
    let done = 0;
    for (const file of this.files.values()) {
      total += file.size;
      done += file.bytesDone;
      if (file.status === 'verified' || file.status === 'failed' || file.status === 'cancelled') continue;
      lines.push(`${bar(file.bytesDone, file.size, width)} ${percent(file.bytesDone, file.size)} ${file.status.padEnd(10)} ${truncate(file.name, 30)}`);
    }
    const seconds = (performance.now() - this.startedAt) / 1000;
    const speed = seconds > 0 ? done / seconds : 0;
    const eta = speed > 0 ? (total - done) / speed : Number.NaN;
    const finished = [...this.files.values()].filter((file) => file.status === 'verified').length;
    lines.push(`${bar(done, total, width)} ${percent(done, total)} total ${finished}/${this.files.size} files  ${formatBytes(done)}/${formatBytes(total)}  ${formatBytes(speed)}/s  ETA ${formatDuration(eta)}`);
    this.clear();
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

function bar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function percent(done: number, total: number): string {
  return `${String(total === 0 ? 100 : Math.floor((done / total) * 100)).padStart(3)}%`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
