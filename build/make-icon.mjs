// Makes build/icon.png, the installers' application icon, from the window's own favicon
// (src/renderer/public/favicon.svg), so the dock, the taskbar and the browser tab show one mark.
// electron-builder turns this one 512x512 PNG into the macOS .icns, the Windows .ico and the
// Linux icon set; 512 is the smallest size it accepts for macOS.
// Run after changing the favicon, then commit the PNG:
//   node_modules/node/bin/node build/make-icon.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 512;
// The mark fills about four fifths of the canvas, as Apple's icon grid asks (824 of 1024); the
// transparent margin keeps it from looking oversized beside other apps in the dock and menus.
const MARK = Math.round(SIZE * 0.805);

const svg = readFileSync(join(root, 'src/renderer/public/favicon.svg'));
const mark = await sharp(svg, { density: (72 * MARK) / 32 }).resize(MARK, MARK).png().toBuffer();
const offset = Math.round((SIZE - MARK) / 2);
await sharp({ create: { width: SIZE, height: SIZE, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
  .composite([{ input: mark, left: offset, top: offset }])
  .png({ compressionLevel: 9 })
  .toFile(join(root, 'build/icon.png'));
console.log(`build/icon.png: ${SIZE}x${SIZE}`);
