import { useId, type ReactNode } from 'react';
import { formatBytes } from '../../../shared/format';
import type { ImageSettings } from '../../../shared/images';
import { printable } from '../../../shared/printable';
import { Button } from '../../components/Button';
import { plannedSetText } from '../../components/imageWords';
import { SelectField } from '../../components/SelectField';
import { existingNotice, keyShown, typeOf, typeOptions, type Destination, type MergedPreview, type PreviewRow, type Problem, type TypeChoice, type TypeOverrides } from './uploadPlan';
import styles from './UploadView.module.css';

interface Group {
  sourceId: string;
  entry: string;
  rows: PreviewRow[];
  /** A dropped folder (its files listed under it) rather than one loose file. */
  isFolder: boolean;
}

/**
 * Every file as it would be queued: its object key, size and type, grouped by what was dropped
 * (a folder's files under the folder), with what is already in the bucket at that key. A type can
 * be changed per dropped file or folder; the engine is asked again and the keys follow.
 */
export function PreviewList(props: {
  preview: MergedPreview;
  destination: Destination;
  overrides: TypeOverrides;
  imageSettings: ImageSettings | null;
  onType: (sourceId: string, entry: string, type: TypeChoice) => void;
  onLeaveOut: (sourceId: string, entry: string) => void;
  isBusy: boolean;
}) {
  const groups = groupRows(props.preview.rows);
  const totalBytes = props.preview.rows.reduce((sum, row) => sum + row.size, 0);
  const withSets = props.preview.rows.filter((row) => row.optimize !== null).length;

  /** The contract takes one type per call, so a type is chosen per dropped file or folder. */
  const typeSelect = (group: Group, label: string, hideLabel: boolean) => {
    const value = typeOf(group.sourceId, group.entry, props.destination, props.overrides);
    // While guessing, the choice says what the engine guessed; a forced type's row shows that type.
    const guess = group.isFolder ? 'Guess per file' : value === 'auto' ? `Guessed: ${group.rows[0]?.category ?? ''}` : 'Guess from the name';
    const options = [{ value: 'auto', label: guess }, ...typeOptions.slice(1)];
    return (
      <SelectField
        label={label}
        hideLabel={hideLabel}
        isSmall
        value={value}
        options={options}
        onChange={(value) => props.onType(group.sourceId, group.entry, value as TypeChoice)}
        isDisabled={props.isBusy}
        className={styles.rowType}
      />
    );
  };

  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="preview">
        <caption className={styles.caption}>
          {props.preview.rows.length} {props.preview.rows.length === 1 ? 'file' : 'files'} ready, {formatBytes(totalBytes)}
          {withSets > 0 ? `; ${withSets === props.preview.rows.length ? (withSets === 1 ? 'it gets' : 'each gets') : `${withSets} get`} a web set` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Object key</th>
            <th scope="col" className={styles.sizeCol}>
              Size
            </th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={`${group.sourceId}/${group.entry}`} className={styles.group}>
            {group.isFolder && (
              <tr className={styles.groupHead}>
                <th scope="rowgroup" colSpan={4}>
                  <div className={styles.groupHeadInner}>
                    <span className={styles.folderName}>
                      Folder {nameOf(group.entry)} <span className={styles.muted}>— {group.rows.length} {group.rows.length === 1 ? 'file' : 'files'}</span>
                    </span>
                    {typeSelect(group, `Type for every file in ${nameOf(group.entry)}`, false)}
                    <Button size="small" variant="quiet" onPress={() => props.onLeaveOut(group.sourceId, group.entry)} isDisabled={props.isBusy}>
                      Leave this folder out
                    </Button>
                  </div>
                </th>
              </tr>
            )}
            {group.rows.map((row) => (
              <FileRow key={row.path} row={row} group={group} onConflict={props.destination.onConflict} imageSettings={props.imageSettings}>
                {!group.isFolder && (
                  <div className={styles.rowTypeCell}>
                    {typeSelect(group, `Type for ${nameOf(group.entry)}`, true)}
                    <Button size="small" variant="quiet" onPress={() => props.onLeaveOut(group.sourceId, group.entry)} isDisabled={props.isBusy} aria-label={`Leave ${nameOf(group.entry)} out`}>
                      Leave out
                    </Button>
                  </div>
                )}
              </FileRow>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

function FileRow(props: { row: PreviewRow; group: Group; onConflict: Destination['onConflict']; imageSettings: ImageSettings | null; children: ReactNode }) {
  const { row } = props;
  const notice = existingNotice(row, props.onConflict);
  return (
    <tr data-testid="preview-row" data-key={keyShown(row)} data-path={row.path} data-web-set={row.optimize ?? undefined}>
      <td className={styles.fileCell}>{displayPath(row, props.group)}</td>
      <td className={styles.keyCell}>
        <code className={styles.key}>{keyShown(row)}</code>
        {notice && <p className={row.existing ? styles.notice : styles.noticeUnknown}>{notice}</p>}
        {row.optimize && (
          <p className={styles.webSet} data-testid="preview-web-set">
            {plannedSetText(row.optimize, props.imageSettings)}
          </p>
        )}
      </td>
      <td className={styles.sizeCol}>{formatBytes(row.size)}</td>
      <td>
        {props.group.isFolder ? <span className={styles.category}>{row.category}</span> : props.children}
      </td>
    </tr>
  );
}

/** Problems before sending, each with the engine's own words on what to do. */
export function ProblemList(props: { problems: readonly Problem[]; title: string }) {
  const titleId = useId();
  if (props.problems.length === 0) return null;
  return (
    <section className={styles.problems} aria-labelledby={titleId}>
      <h3 id={titleId} className={styles.problemsTitle}>
        {props.title} ({props.problems.length})
      </h3>
      <ul className={styles.problemList}>
        {props.problems.map((problem, index) => (
          <li key={`${problem.kind}-${problem.path}-${index}`} className={styles.problem} data-testid="preview-problem" data-kind={problem.kind} data-path={problem.path}>
            <span className={styles.problemKind}>{problemLabel(problem.kind)}</span>
            <span className={styles.problemFile}>{nameOf(problem.path)}</span>
            <span className={styles.problemMessage}>{problem.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function problemLabel(kind: Problem['kind']): string {
  switch (kind) {
    case 'rejected':
      return 'Refused';
    case 'skipped':
      return 'Skipped';
    case 'not-copied':
      return 'Not copied';
    case 'unreadable':
      return 'Unreadable';
  }
}

function groupRows(rows: readonly PreviewRow[]): Group[] {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const id = `${row.sourceId}\u0000${row.entry}`;
    let group = groups.get(id);
    if (!group) {
      group = { sourceId: row.sourceId, entry: row.entry, rows: [], isFolder: false };
      groups.set(id, group);
    }
    group.rows.push(row);
    if (row.path !== row.entry) group.isFolder = true;
  }
  return [...groups.values()];
}

/** The last part of a path, whichever separator it uses. */
export function nameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return printable(parts[parts.length - 1] ?? path);
}

/** A file as the author knows it: its path inside the dropped folder, or its own name. */
function displayPath(row: PreviewRow, group: Group): string {
  if (!group.isFolder) return nameOf(row.path);
  const below = row.path.slice(group.entry.length).replace(/^[\\/]+/, '');
  return `${nameOf(group.entry)}/${printable(below.split('\\').join('/'))}`;
}
