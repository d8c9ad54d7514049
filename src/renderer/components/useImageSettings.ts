import { useEffect, useState } from 'react';
import type { ImageSettings } from '../../shared/images';
import { call } from '../api/appApi';

/**
 * The author's image settings, asked once when a view that words a web set mounts (the Upload
 * preview, the images choice of a drop or a watch folder). Null until the answer comes, or when
 * it cannot: the words then fall back to the defaults' wording, which is still true in shape.
 */
export function useImageSettings(): ImageSettings | null {
  const [settings, setSettings] = useState<ImageSettings | null>(null);
  useEffect(() => {
    let current = true;
    call('settings.get', {}).then(
      (report) => {
        if (current) setSettings({ imageOptimize: report.imageOptimize, imageFormat: report.imageFormat, imageQuality: report.imageQuality, imageKeepOriginal: report.imageKeepOriginal, imageKeepMetadata: report.imageKeepMetadata });
      },
      () => {},
    );
    return () => {
      current = false;
    };
  }, []);
  return settings;
}
