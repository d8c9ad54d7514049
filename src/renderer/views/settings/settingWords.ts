import type { SettingsField, TunedSetting } from './settingsForm';

/**
 * What each setting is called and why an author would change it: the words of the form's fields
 * and of "In force now", in one place so both name a setting the same way.
 */
export interface SettingWords {
  /** As "In force now" names it. */
  name: string;
  /** The form's label, with the unit the field is typed in. */
  label: string;
  field: SettingsField;
  inputMode: 'decimal' | 'numeric';
  help: string;
}

export const settingWords: Record<TunedSetting, SettingWords> = {
  partSize: {
    name: 'Part size',
    label: 'Part size (MiB)',
    field: 'partSizeMiB',
    inputMode: 'decimal',
    help:
      'A large file goes up in parts of this size, from 5 to 5,120 MiB. Larger parts mean fewer requests for a huge WAV; ' +
      'smaller ones lose less on a flaky line, where a part cut off is sent again from its start. ' +
      'A file already uploading keeps the size it began with, and Quire makes parts bigger by itself for a file that would need more than 10,000.',
  },
  requestBudget: {
    name: 'Requests in flight',
    label: 'Requests in flight',
    field: 'requestBudget',
    inputMode: 'numeric',
    help:
      'How many requests Quire keeps open at once across all files, from 1 to 64. ' +
      'More is faster on a fast line and uses about 1 MiB of memory each; fewer leaves more of a slow line to everything else.',
  },
  filesAtOnce: {
    name: 'Large files at once',
    label: 'Large files at once',
    field: 'filesAtOnce',
    inputMode: 'numeric',
    help:
      'How many big files (over 10 MiB, sent in parts) go up side by side, from 1 to 10. ' +
      'With 1 each finishes before the next begins, so the first is ready soonest; small files do not count here.',
  },
  bandwidthLimit: {
    name: 'Bandwidth cap',
    label: 'Bandwidth cap (MiB/s)',
    field: 'bandwidthMiBps',
    inputMode: 'decimal',
    help: 'All uploads together, in mebibytes per second; 0 for no cap. Leave room for the rest of your household or office on a shared line.',
  },
  requestsPerSecond: {
    name: 'Request rate',
    label: 'Request rate (requests per second)',
    field: 'requestsPerSecond',
    inputMode: 'numeric',
    help:
      'The most requests Quire sends to one connection each second. Spaces allows 300 writes and lists per second on older buckets; ' +
      'when the server asks Quire to slow down, it does so by itself.',
  },
};
