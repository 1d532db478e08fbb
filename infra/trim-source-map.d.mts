/** See trim-source-map.mjs. */
export function trimSourceMap(mapText: string, drop?: (source: string) => boolean): string;
