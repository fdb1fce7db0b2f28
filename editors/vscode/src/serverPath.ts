// Where the `ward` server is: the `ward.server.path` setting, then the
// binary bundled in the extension, then `ward` on PATH. Pure, so the unit
// tests can drive it with a fake file system.
import * as path from 'path';

export interface ServerLookup {
  /** `ward.server.path`; empty when unset. */
  setting: string;
  /** Where the packaged extension keeps its own binary. */
  bundled: string;
  /** The PATH environment variable. */
  pathEnv: string | undefined;
  home: string;
  platform: NodeJS.Platform;
  isExecutable(file: string): boolean;
}

export type Resolved =
  | { path: string; source: 'setting' | 'bundled' | 'PATH' }
  | { error: string };

const INSTALL_HINT =
  'Install it with `cargo install --path server` from the Ward repository, ' +
  'or set `ward.server.path` to the `ward` executable.';

export function resolveServerPath(l: ServerLookup): Resolved {
  const exe = l.platform === 'win32' ? 'ward.exe' : 'ward';
  const setting = l.setting.trim();
  if (setting !== '') {
    const expanded = setting.startsWith('~')
      ? path.join(l.home, setting.slice(1))
      : setting;
    if (l.isExecutable(expanded)) {
      return { path: expanded, source: 'setting' };
    }
    // A wrong setting is reported, not silently replaced by another binary.
    return {
      error: `\`ward.server.path\` is set to ${expanded}, which is not an executable file. ${INSTALL_HINT}`,
    };
  }
  if (l.isExecutable(l.bundled)) {
    return { path: l.bundled, source: 'bundled' };
  }
  const separator = l.platform === 'win32' ? ';' : ':';
  for (const dir of (l.pathEnv ?? '').split(separator)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, exe);
    if (l.isExecutable(candidate)) {
      return { path: candidate, source: 'PATH' };
    }
  }
  return { error: `The Ward language server (\`${exe}\`) was not found. ${INSTALL_HINT}` };
}
