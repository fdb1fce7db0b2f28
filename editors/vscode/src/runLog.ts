// The lines the Run output channel shows around a program's own output.
import * as path from 'path';
import { RunCommand, RunResult } from './protocol';

const TITLES: Record<RunCommand, string> = {
  'ward.run': '▶ Run',
  'ward.profile': '⏱ Profile',
  'ward.runTest': '▶ Run test',
};

/** `[uri, functionName]`, as the lenses pass them; undefined if not. */
export function runArguments(args: unknown[]): { uri: string; fn: string } | undefined {
  const [uri, fn] = args;
  return typeof uri === 'string' && typeof fn === 'string' ? { uri, fn } : undefined;
}

export function runHeader(command: RunCommand, fn: string, file: string): string {
  return `${TITLES[command]} ${fn} · ${path.basename(file)}`;
}

export function runFooter(result: RunResult): string {
  const took = `${result.durationMs.toFixed(1)} ms`;
  if (result.stopped !== undefined) {
    return `■ stopped after ${took}: ${result.stopped} (exit code ${result.exitCode})`;
  }
  return `■ exit code ${result.exitCode} · ${took}`;
}

/** The message for a run the server refused or could not start. */
export function runFailure(message: string): string {
  return `■ not run: ${message}`;
}
