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

/** `text` with `[task N] ` before each line that starts in it. */
export function markTask(text: string, task: number, atLineStart: boolean): string {
  const mark = `[task ${task}] `;
  const lines = text.split('\n');
  return lines
    .map((line, i) => ((i > 0 || atLineStart) && line !== '' ? mark + line : line))
    .join('\n');
}

/**
 * The Ward Run channel's text. Output notifications and the command's
 * result travel separately and the result can overtake the last pieces of
 * output; the result carries the whole output, so the footer waits until
 * that much has arrived (or until `flushAnyway`).
 */
export class RunTranscript {
  private readonly received = new Map<number, number>();
  private readonly pending = new Map<number, { expected: number; footer: string }>();
  private atLineStart = true;

  constructor(private readonly write: (text: string) => void) {}

  /** A line of the channel's own (a header or a message). */
  line(text: string): void {
    this.write(`${this.atLineStart ? '' : '\n'}${text}\n`);
    this.atLineStart = true;
  }

  /** Output of run `runId`; lines of a task other than `main` are marked
   * with its number (`[task 3] …`). */
  output(runId: number, text: string, task?: number): void {
    if (text === '') {
      return;
    }
    this.received.set(runId, (this.received.get(runId) ?? 0) + text.length);
    this.write(task === undefined ? text : markTask(text, task, this.atLineStart));
    this.atLineStart = text.endsWith('\n');
    this.flush(runId, false);
  }

  /** The run's result: its footer is written once its output is all in.
   * Returns whether it was written now. */
  finished(result: RunResult, footer: string): boolean {
    this.pending.set(result.runId, {
      expected: result.stdout.length + result.stderr.length,
      footer,
    });
    return this.flush(result.runId, false);
  }

  /** Writes a run's pending footer whatever has arrived. */
  flushAnyway(runId: number): void {
    this.flush(runId, true);
  }

  private flush(runId: number, anyway: boolean): boolean {
    const pending = this.pending.get(runId);
    if (!pending) {
      return false;
    }
    if (!anyway && (this.received.get(runId) ?? 0) < pending.expected) {
      return false;
    }
    this.pending.delete(runId);
    this.received.delete(runId);
    this.line(pending.footer);
    return true;
  }
}
