import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { preloadExposure } from './exposure';

// The page gets exactly what preloadExposure makes (see exposure.ts), each under its own name.
for (const [name, value] of Object.entries(preloadExposure(ipcRenderer, (file) => webUtils.getPathForFile(file)))) contextBridge.exposeInMainWorld(name, value);
