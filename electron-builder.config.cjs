// electron-builder 26 configuration: Quire's installers (AppImage and deb, dmg, nsis).
//
// Why a .cjs file and not electron-builder.yml: it allows comments just as well, and the test that
// checks it (test/packaging.test.ts) reads the very object electron-builder reads, with no YAML
// parser (Quire has none among its dependencies) that could read it differently. It is CommonJS
// because package.json says "type": "module". electron-builder looks for electron-builder.yml by
// default, so every build names this file: `--config electron-builder.config.cjs`.
//
// electron-builder itself is not a dependency: it downloads Electron and its tool sets (AppImage,
// fpm, NSIS) from GitHub, so installers are built on each OS's CI with
// `npx electron-builder@26 ...` (see "Building the installers" in README.md).

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'app.quire.desktop',
  productName: 'Quire',
  directories: { output: 'dist', buildResources: 'build' },

  // What the app runs: electron-vite's build (out/main: index.js, cli.js, imageWorker.js and the
  // shared chunks; out/preload/index.cjs; out/renderer) and package.json (its "main" is
  // out/main/index.js). electron-builder adds the production node_modules itself; the exclusions
  // below also apply to them. Sources, tests, bench, docs and scripts are never listed, so never
  // shipped; the explicit exclusions say so and keep a later broad pattern from pulling them in.
  files: [
    'out/**',
    'package.json',
    '!out/**/*.map',
    '!{src,test,bench,docs,scripts,bin,resources}{,/**}',
    // better-sqlite3 ships SQLite's C sources to build from when no prebuilt binary fits; Quire
    // loads its prebuilds/ binary and never builds (npmRebuild below), so 10 MB less per installer.
    '!**/node_modules/better-sqlite3/{deps,src}/**',
  ],

  // The SQL migrations, outside the asar, where the packaged app looks for them:
  // src/main/index.ts opens the engine with resourcesDir = join(process.resourcesPath, 'resources')
  // and the engine reads join(resourcesDir, 'migrations') (src/main/core/engine.ts). `to` is
  // relative to process.resourcesPath, so they land in <resources>/resources/migrations.
  extraResources: [{ from: 'resources/migrations', to: 'resources/migrations', filter: ['**/*'] }],

  asar: true,
  // Unpacked next to the asar (app.asar.unpacked), each for a reason; Electron redirects loads of
  // these paths there by itself, so the code's require() calls do not change.
  asarUnpack: [
    // sharp: its documented Electron set-up unpacks sharp and @img together. The .node binding in
    // @img/sharp-<os>-<arch> is dlopen()ed from a real file, and it finds libvips
    // (@img/sharp-libvips-<os>-<arch>) by a path relative to its own real location, which an
    // asar path is not.
    '**/node_modules/sharp/**/*',
    // @img: sharp's native builds above, and @img/sharp-wasm32, which the image workers load on
    // Linux (native libvips crashes inside Electron there): its Emscripten threads start Node
    // workers from the package's own script and read its .wasm file, kept on disk to be safe.
    '**/node_modules/@img/**/*',
    // better-sqlite3: the ledger; prebuilds/<os>-<arch>.node is dlopen()ed, which needs a real file.
    '**/node_modules/better-sqlite3/**/*',
    // @napi-rs/keyring: the OS keychain; its .node lives in @napi-rs/keyring-<os>-<arch>.
    '**/node_modules/@napi-rs/**/*',
    // Not unpacked: out/main/imageWorker.js. The image workers are started with Electron's
    // utilityProcess.fork (child_process.fork needs RunAsNode, turned off below), and Electron
    // loads a script inside the asar itself; kept inside, the worker is covered by the asar's
    // integrity check like the rest of Quire's code.
  ],

  // No rebuild for Electron: every native module is N-API, so one binary loads in Node and in
  // Electron alike. better-sqlite3 13 ships N-API prebuilt binaries for linux/darwin/win32 x64 and
  // arm64 in prebuilds/ (its binding.gyp builds only when none fits); sharp (@img/*) and
  // @napi-rs/keyring install a prebuilt N-API package per platform. A rebuild would try to
  // download Electron's headers and compile SQLite for nothing.
  npmRebuild: false,

  // Fuses: features switched off in the Electron binary itself, before signing, so the OS's code
  // signature keeps them off.
  electronFuses: {
    // ELECTRON_RUN_AS_NODE=1 would turn the signed Quire binary into a plain Node that runs any
    // script with Quire's identity (its keychain items, its macOS permissions).
    runAsNode: false,
    // NODE_OPTIONS (--require a script) and --inspect would do the same by another door.
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    // Only the app in app.asar runs, and (macOS; Windows when built on Windows) only if its hash
    // matches the one recorded in the signed binary: a modified app.asar does not start.
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    // Kept ON, deliberately, while the window loads its page with loadFile() (file://, see
    // src/main/electron/mainWindow.ts). With this fuse off, Electron leaves file:// to Chromium's
    // own loader, which cannot read inside app.asar (Electron's asar-aware file loader is
    // installed only when the fuse is on: shell/browser/protocol_registry.cc), and file:// pages
    // lose file access from file URLs, which the page's <script type="module" crossorigin> needs:
    // the packaged window would be blank. Turn it off when the renderer is served from a custom
    // protocol (protocol.handle('app', ...)); test/packaging.test.ts ties the two together.
    grantFileProtocolExtraPrivileges: true,
  },

  // "Open with Quire" (and a drop on its dock icon): the files authors upload. Quire is never
  // their default app (rank Alternate, role Viewer): it only offers to upload them. The opened
  // files reach the running app (app 'open-file' on macOS, the command line elsewhere) and are
  // previewed in Upload, never queued unseen.
  fileAssociations: [
    { ext: ['pdf'], name: 'PDF document', mimeType: 'application/pdf' },
    { ext: ['epub'], name: 'EPUB book', mimeType: 'application/epub+zip' },
    { ext: ['docx'], name: 'Word document', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    { ext: ['mp3'], name: 'MP3 audio', mimeType: 'audio/mpeg' },
    { ext: ['m4a', 'm4b'], name: 'MPEG-4 audio', mimeType: 'audio/mp4' },
    { ext: ['wav'], name: 'WAV audio', mimeType: 'audio/wav' },
    { ext: ['flac'], name: 'FLAC audio', mimeType: 'audio/flac' },
    { ext: ['jpg', 'jpeg'], name: 'JPEG image', mimeType: 'image/jpeg' },
    { ext: ['png'], name: 'PNG image', mimeType: 'image/png' },
    { ext: ['webp'], name: 'WebP image', mimeType: 'image/webp' },
    { ext: ['tif', 'tiff'], name: 'TIFF image', mimeType: 'image/tiff' },
  ].map((association) => ({ ...association, role: 'Viewer', rank: 'Alternate' })),

  // No auto-update feed: installers are published by hand, and electron-builder must not try to
  // upload anything from CI on its own (it would on a tag with a GH_TOKEN in the environment).
  publish: null,

  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Office',
    synopsis: 'Resumable, verified uploads of books to DigitalOcean Spaces or any S3',
    // Not `quire`: the deb links its executable into /usr/bin, where it would shadow the `quire`
    // command line (bin/quire) and start the desktop app instead.
    executableName: 'quire-desktop',
    // fpm needs a maintainer; package.json names no author.
    maintainer: 'Quire maintainers',
  },
  deb: {
    // electron-builder's default Depends stay (GTK 3, NSS, libnotify, libsecret-1-0 for Electron's
    // own safeStorage, ...). The keychain is not a library: @napi-rs/keyring talks to the Secret
    // Service over D-Bus, which GNOME Keyring or KWallet provides: recommended, so a desktop
    // without either gets one. Setting Recommends replaces electron-builder's default
    // (libappindicator3-1, for the tray), so it is kept, with the Ayatana fork that Debian 12 and
    // Ubuntu 22.04+ ship in its place.
    recommends: ['libayatana-appindicator3-1 | libappindicator3-1', 'gnome-keyring | kwalletmanager'],
  },

  mac: {
    target: ['dmg'],
    icon: 'build/icon.png',
    category: 'public.app-category.productivity',
    // Required for notarization. Signing takes CSC_LINK / CSC_KEY_PASSWORD from the CI's
    // environment; notarization happens when APPLE_API_KEY + APPLE_API_KEY_ID + APPLE_API_ISSUER
    // (or APPLE_ID + APPLE_APP_SPECIFIC_PASSWORD + APPLE_TEAM_ID) are set, so `notarize` stays unset.
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
  },

  win: {
    target: ['nsis'],
    icon: 'build/icon.png',
  },
  nsis: {
    // An assisted installer, as Windows users expect of a desktop app: it shows where Quire goes,
    // offers to change it, and asks "only for me" (the default, no administrator prompt: Quire's
    // data is per user) or "for everyone".
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    // %APPDATA%\Quire holds the author's ledger: uploads in progress resume after a reinstall.
    deleteAppDataOnUninstall: false,
  },
};
