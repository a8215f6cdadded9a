/** Store timestamps are ISO-8601 UTC strings, so they sort and compare as text in both dialects. */
export const nowIso = (): string => new Date().toISOString();
