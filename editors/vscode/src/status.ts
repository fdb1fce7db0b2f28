// The status bar item's text for each state of the server.
export type ServerState = 'starting' | 'running' | 'stopped' | 'missing' | 'crashed';

export interface StatusText {
  text: string;
  tooltip: string;
  isError: boolean;
}

export function statusText(state: ServerState, detail?: string): StatusText {
  switch (state) {
    case 'starting':
      return { text: '$(sync~spin) Ward', tooltip: 'Ward: starting the language server', isError: false };
    case 'running':
      return {
        text: '$(check) Ward',
        tooltip: `Ward: the language server is running${detail ? ` (${detail})` : ''}. Click to show its output.`,
        isError: false,
      };
    case 'stopped':
      return { text: '$(circle-slash) Ward', tooltip: 'Ward: the language server is stopped. Click to restart it.', isError: false };
    case 'missing':
      return { text: '$(error) Ward', tooltip: `Ward: ${detail ?? 'the language server was not found'}`, isError: true };
    case 'crashed':
      return {
        text: '$(error) Ward',
        tooltip: `Ward: the language server stopped unexpectedly${detail ? `: ${detail}` : ''}. Click to restart it.`,
        isError: true,
      };
  }
}
