import { useId } from 'react';
import type { ImageFormat } from '../../../shared/images';
import { SelectField } from '../../components/SelectField';
import { TextInputField } from '../../components/TextInputField';
import fields from '../../components/fields.module.css';
import { optimizableDestinations } from '../../components/imageWords';
import type { ImageFormValues } from './imageSettingsForm';
import styles from './SettingsView.module.css';

const formatOptions: { value: ImageFormat; label: string }[] = [
  { value: 'webp', label: 'WebP (every current browser shows it)' },
  { value: 'avif', label: 'AVIF: smaller, slower to make' },
  { value: 'jpeg', label: 'JPEG, progressive (for the oldest readers)' },
];

/**
 * The Images section of the settings form. Its one warning is about the one choice here that can
 * make something public the author did not mean to: a photo's GPS position.
 */
export function ImageSettingsFields(props: { values: ImageFormValues; qualityError?: string; onChange: (values: ImageFormValues) => void }) {
  const { values } = props;
  const metadataHelpId = useId();
  const set = <K extends keyof ImageFormValues>(key: K, value: ImageFormValues[K]) => props.onChange({ ...values, [key]: value });
  const toggleDestination = (destination: ImageFormValues['optimize'][number], on: boolean) =>
    set('optimize', on ? [...values.optimize.filter((d) => d !== destination), destination] : values.optimize.filter((d) => d !== destination));

  return (
    <fieldset className={styles.section} data-testid="settings-images">
      <legend className={styles.subheading}>Images</legend>
      <p className={styles.note}>
        Quire can make a web set of an image before it uploads: copies 480 to 1920 px wide and a 200 px thumbnail, turned upright, in sRGB colour, with camera data removed. A
        book cover keeps its full height; an author photo is made square. Each upload can also ask for a web set, or for none, on the Upload view.
      </p>

      <fieldset className={styles.group}>
        <legend className={fields.label}>Make a web set for</legend>
        {optimizableDestinations.map((destination) => (
          <label key={destination.value} className={fields.check}>
            <input type="checkbox" name="imageOptimize" value={destination.value} checked={values.optimize.includes(destination.value)} onChange={(event) => toggleDestination(destination.value, event.target.checked)} />
            <span>{destination.label}</span>
          </label>
        ))}
      </fieldset>

      <SelectField label="Format" name="imageFormat" value={values.format} options={formatOptions} onChange={(value) => set('format', value as ImageFormat)} className={styles.narrowField} />

      <TextInputField
        label="Quality (1–100)"
        name="imageQuality"
        inputMode="numeric"
        value={values.quality}
        onChange={(value) => set('quality', value)}
        error={props.qualityError}
        inputClassName={styles.number}
        description="85, the default, keeps photos looking as they are in far fewer bytes; lower is smaller and softer."
      />

      <label className={fields.check}>
        <input type="checkbox" name="imageKeepOriginal" checked={values.keepOriginal} onChange={(event) => set('keepOriginal', event.target.checked)} />
        <span>
          Upload the original too
          <span className={`${fields.description} ${styles.block}`}>Your own file goes beside its web set, unchanged (a print cover needs its full size). Off, only the web set is uploaded.</span>
        </span>
      </label>

      <label className={fields.check}>
        <input type="checkbox" name="imageKeepMetadata" checked={values.keepMetadata} onChange={(event) => set('keepMetadata', event.target.checked)} aria-describedby={metadataHelpId} />
        <span>Keep camera data and GPS position in the web images</span>
      </label>
      <p id={metadataHelpId} className={values.keepMetadata ? styles.warning : styles.note} data-testid="metadata-warning">
        {values.keepMetadata ? '⚠ ' : ''}A phone photo records where it was taken. With this on, anyone who can open the web images can read that position, and the camera&apos;s
        details. Off, both are removed before anything is uploaded.
      </p>
    </fieldset>
  );
}
