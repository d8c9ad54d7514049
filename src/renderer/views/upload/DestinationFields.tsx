import type { ConnectionSummary } from '../../../shared/connection';
import { formatBytes } from '../../../shared/format';
import type { ImageSettings } from '../../../shared/images';
import { ImagesChoiceField } from '../../components/ImagesChoiceField';
import { navigate } from '../../shell/navigation';
import { SelectField } from '../../components/SelectField';
import { TextInputField } from '../../components/TextInputField';
import { typeOptions, type Destination, type TypeChoice } from './uploadPlan';
import styles from './UploadView.module.css';

/**
 * Where the files go and how they are named. Every change asks the engine for the preview again
 * (typing in the folder field, once the author pauses: see usePreview).
 */
export function DestinationFields(props: {
  destination: Destination;
  connections: readonly ConnectionSummary[];
  imageSettings: ImageSettings | null;
  onChange: (destination: Destination) => void;
  isDisabled: boolean;
}) {
  const { destination } = props;
  const set = <K extends keyof Destination>(key: K, value: Destination[K]) => props.onChange({ ...destination, [key]: value });
  const chosen = props.connections.find((c) => c.name === destination.connection);

  return (
    <fieldset className={styles.destination} disabled={props.isDisabled}>
      <legend className={styles.legend}>Destination</legend>
      <SelectField
        label="Connection"
        value={destination.connection ?? ''}
        options={props.connections.map((c) => ({ value: c.name, label: `${c.name}${c.isDefault ? ' (default)' : ''} — ${c.bucket}` }))}
        onChange={(value) => set('connection', value)}
        description={
          <>
            {chosen ? limitsOf(chosen) : null}{' '}
            <button type="button" className={styles.linkButton} onClick={() => navigate('connections')}>
              Manage connections
            </button>
          </>
        }
      />
      <SelectField
        label="Content type"
        value={destination.type}
        options={typeOptions}
        onChange={(value) => set('type', value as TypeChoice)}
        description="Guessed from each file’s name; choose one for all here, or per file below."
      />
      <TextInputField
        label="Folder in the bucket (optional)"
        name="to"
        value={destination.to}
        onChange={(value) => set('to', value)}
        placeholder="books/content/my-novel/"
        autoComplete="off"
        spellCheck={false}
        description="Empty: each type’s own folder (books/covers/…)."
      />
      <SelectField
        label="Names"
        value={destination.template}
        options={[
          { value: 'keep-name', label: 'Keep the file names' },
          { value: 'dated-uuid', label: 'Dated unique names (2026/12/<id>.pdf)' },
        ]}
        onChange={(value) => set('template', value as Destination['template'])}
      />
      <SelectField
        label="Who can read them"
        value={destination.visibility}
        options={[
          { value: 'connection', label: `The connection’s default (${chosen?.defaultVisibility === 'public-read' ? 'public' : 'private'})` },
          { value: 'private', label: 'Private (share links only)' },
          { value: 'public-read', label: 'Public (anyone with the link)' },
        ]}
        onChange={(value) => set('visibility', value as Destination['visibility'])}
      />
      <SelectField
        label="If the name is taken"
        value={destination.onConflict}
        options={[
          { value: 'keep-both', label: 'Keep both (yours gets “ (2)”)' },
          { value: 'overwrite', label: 'Replace the object in the bucket' },
        ]}
        onChange={(value) => set('onConflict', value as Destination['onConflict'])}
      />
      <ImagesChoiceField
        value={destination.images}
        settings={props.imageSettings}
        onChange={(value) => set('images', value)}
        className={styles.wholeRow}
        description="A web set is smaller copies of an image for web pages, made by Quire before it uploads."
      />
    </fieldset>
  );
}

function limitsOf(connection: ConnectionSummary): string {
  const types = connection.allowedFileTypes.length > 0 ? `only ${connection.allowedFileTypes.join(', ')}` : 'any type';
  return `Takes ${types}, up to ${formatBytes(connection.maxFileSize)} a file.`;
}
