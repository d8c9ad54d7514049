/** The share-link lifetimes the Spaces control panel offers, in seconds. */
export const linkLifetimes = [
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '6h', label: '6 hours', seconds: 6 * 3600 },
  { id: '1d', label: '1 day', seconds: 24 * 3600 },
  { id: '3d', label: '3 days', seconds: 3 * 24 * 3600 },
  { id: '7d', label: '7 days', seconds: 7 * 24 * 3600 },
] as const;

export type LinkLifetimeId = (typeof linkLifetimes)[number]['id'];
