// The server's protocol extensions, mirrored from server/src/lsp/run.rs
// and server.rs: `ward/runOutput`, `ward/cancelRun`, `ward/syntaxTree`
// and what the run commands return.

export const RUN_COMMANDS = ['ward.run', 'ward.profile', 'ward.runTest'] as const;
export type RunCommand = (typeof RUN_COMMANDS)[number];

export function isRunCommand(command: string): command is RunCommand {
  return (RUN_COMMANDS as readonly string[]).includes(command);
}

export const RUN_OUTPUT = 'ward/runOutput';
export const CANCEL_RUN = 'ward/cancelRun';
export const SYNTAX_TREE = 'ward/syntaxTree';

export interface RunOutputParams {
  runId: number;
  stream: 'stdout' | 'stderr';
  text: string;
  /** The task that wrote it, when not `main` (whole lines). */
  task?: number;
}

export interface FunctionProfile {
  name: string;
  calls: number;
  selfMs: number;
  totalMs: number;
  allocations: number;
  allocatedBytes: number;
}

export interface PauseBucket {
  /** null: longer than every bound. */
  upToMs: number | null;
  count: number;
}

export interface GcPauses {
  count: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  youngCollections: number;
  oldCollections: number;
  histogram: PauseBucket[];
}

export interface TaskProfile {
  id: number;
  priority: 'High' | 'Normal' | 'Low';
  body: string;
  runMs: number;
  resumes: number;
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

export interface ProfileResult {
  functions: FunctionProfile[];
  gc: GcPauses;
  /** For a program that started tasks: each task, `main` first. */
  tasks?: TaskProfile[];
}

export interface RunResult {
  runId: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  stopped?: string;
  profile?: ProfileResult;
}
