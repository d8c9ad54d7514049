import type { ReactNode } from 'react';
import type { ImageSettings } from '../../shared/images';
import { imagesChoiceOptions, type ImagesChoice } from './imageWords';
import { SelectField } from './SelectField';

/**
 * Whether images get a web set: as the author's settings say for their destination, always, or
 * never (sent as they are). The Upload view's drop and a watch folder offer the same three; the
 * first names the destinations the settings choose (`settings` from useImageSettings).
 */
export function ImagesChoiceField(props: {
  value: ImagesChoice;
  onChange: (choice: ImagesChoice) => void;
  settings: ImageSettings | null;
  name?: string;
  description?: ReactNode;
  isDisabled?: boolean;
  className?: string;
}) {
  return (
    <SelectField
      label="Images"
      name={props.name}
      value={props.value}
      options={imagesChoiceOptions(props.settings)}
      onChange={(value) => props.onChange(value as ImagesChoice)}
      description={props.description}
      isDisabled={props.isDisabled}
      className={props.className}
    />
  );
}
