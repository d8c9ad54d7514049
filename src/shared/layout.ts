/**
 * The book platform's bucket layout (platform specs): which kind of file goes under which prefix.
 * Shared so the UI can show where a file will land before it is queued.
 */
export const categories = {
  manuscript: 'books/content/',
  cover: 'books/covers/',
  'book-asset': 'books/assets/',
  audio: 'audiobooks/chapters/',
  'audio-full': 'audiobooks/full/',
  'audio-sample': 'audiobooks/samples/',
  avatar: 'authors/avatars/',
  branding: 'authors/branding/',
  video: 'authors/media/',
  other: 'uploads/',
} as const;

export type Category = keyof typeof categories;
export const categoryNames = Object.keys(categories) as Category[];
