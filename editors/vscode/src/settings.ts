// The server's settings object (`initializationOptions` and
// `workspace/didChangeConfiguration`'s `settings.ward`) from VS Code's
// `ward.*` configuration.

export interface ServerSettings {
  inlayHints: {
    types: boolean;
    lifetimes: 'always' | 'skipTrivial' | 'never';
    drops: boolean;
    capabilities: boolean;
    zones: boolean;
  };
  run: { enabled: boolean; allow: string[]; timeoutMs: number; maxHeapMb: number };
  diagnosticsDocs?: string;
}

/** `get` reads a `ward.`-relative key, as WorkspaceConfiguration.get does. */
export function serverSettings(get: (key: string) => unknown): ServerSettings {
  const bool = (key: string, fallback: boolean): boolean => {
    const v = get(key);
    return typeof v === 'boolean' ? v : fallback;
  };
  const lifetimes = get('inlayHints.lifetimes');
  const timeout = get('run.timeoutMs');
  const maxHeap = get('run.maxHeapMb');
  const docs = get('diagnosticsDocs');
  const allow = get('run.allow');
  const settings: ServerSettings = {
    inlayHints: {
      types: bool('inlayHints.types', true),
      lifetimes:
        lifetimes === 'always' || lifetimes === 'never' ? lifetimes : 'skipTrivial',
      drops: bool('inlayHints.drops', false),
      capabilities: bool('inlayHints.capabilities', true),
      zones: bool('inlayHints.zones', true),
    },
    run: {
      enabled: bool('run.enabled', true),
      // The capabilities a run grants, as `ward run --allow` entries.
      allow: Array.isArray(allow)
        ? allow.filter((c): c is string => typeof c === 'string' && c.trim() !== '').map((c) => c.trim())
        : [],
      timeoutMs:
        typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 1
          ? Math.floor(timeout)
          : 10000,
      maxHeapMb:
        typeof maxHeap === 'number' && Number.isFinite(maxHeap) && maxHeap >= 0
          ? Math.floor(maxHeap)
          : 0,
    },
  };
  if (typeof docs === 'string' && docs.trim() !== '') {
    settings.diagnosticsDocs = docs.trim();
  }
  return settings;
}
