// The VS Code client of `ward lsp`: starts the server, mirrors its protocol
// extensions (run output, profiles, the syntax tree) and shows its state.
// Language logic stays in the server.
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { renderProfile } from './profileView';
import {
  RUN_OUTPUT,
  RunCommand,
  RunOutputParams,
  RunResult,
  SYNTAX_TREE,
  isRunCommand,
} from './protocol';
import { RestartPolicy } from './restartPolicy';
import { RunTranscript, runArguments, runFailure, runFooter, runHeader } from './runLog';
import { resolveServerPath } from './serverPath';
import { serverSettings } from './settings';
import { ServerState, statusText } from './status';

const SYNTAX_TREE_SCHEME = 'ward-syntax-tree';

class Extension {
  client: LanguageClient | undefined;
  private readonly policy = new RestartPolicy();
  private readonly serverChannel = vscode.window.createOutputChannel('Ward Language Server');
  private readonly runChannel = vscode.window.createOutputChannel('Ward Run');
  private readonly transcript = new RunTranscript((text) => this.runChannel.append(text));
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  private crashed = false;
  private profilePanel: vscode.WebviewPanel | undefined;
  readonly syntaxTrees = new SyntaxTreeProvider(this);

  constructor(private readonly context: vscode.ExtensionContext) {
    this.status.name = 'Ward';
    context.subscriptions.push(this.serverChannel, this.runChannel, this.status);
  }

  setStatus(state: ServerState, detail?: string): void {
    const s = statusText(state, detail);
    this.status.text = s.text;
    this.status.tooltip = s.tooltip;
    this.status.backgroundColor = s.isError
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : undefined;
    this.status.command =
      state === 'running' ? 'ward.showServerOutput' : 'ward.restartServer';
    this.status.show();
  }

  private serverPath(): { path: string } | { error: string } {
    const bundled = this.context.asAbsolutePath(
      process.platform === 'win32' ? 'bin/ward.exe' : 'bin/ward',
    );
    // A .vsix may lose the executable bit on the way.
    try {
      if (fs.statSync(bundled).isFile()) {
        fs.chmodSync(bundled, 0o755);
      }
    } catch {
      // No bundled binary.
    }
    return resolveServerPath({
      setting: vscode.workspace.getConfiguration('ward').get<string>('server.path') ?? '',
      bundled,
      pathEnv: process.env.PATH,
      home: os.homedir(),
      platform: process.platform,
      isExecutable: (file) => {
        try {
          fs.accessSync(file, fs.constants.X_OK);
          return fs.statSync(file).isFile();
        } catch {
          return false;
        }
      },
    });
  }

  async start(): Promise<void> {
    const found = this.serverPath();
    if ('error' in found) {
      this.setStatus('missing', found.error);
      // Not awaited: activation must not wait for the user to answer.
      void vscode.window.showErrorMessage(found.error, 'Open Settings', 'Retry').then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'ward.server.path');
        } else if (choice === 'Retry') {
          void this.start();
        }
      });
      return;
    }
    this.serverChannel.appendLine(`Starting ${found.path} lsp`);
    const serverOptions: ServerOptions = {
      command: found.path,
      args: ['lsp'],
      transport: TransportKind.stdio,
    };
    const config = vscode.workspace.getConfiguration('ward');
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'ward' }],
      outputChannel: this.serverChannel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverSettings((key) => config.get(key)),
      synchronize: { configurationSection: 'ward' },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          if (this.policy.crashed(Date.now()) === 'restart') {
            return { action: CloseAction.Restart, handled: true };
          }
          this.crashed = true;
          this.setStatus('crashed', 'it exited several times in a few minutes');
          return {
            action: CloseAction.DoNotRestart,
            message:
              'The Ward language server stopped unexpectedly several times and will not be restarted. ' +
              'Its log is in the "Ward Language Server" output; run "Ward: Restart Server" to try again.',
          };
        },
      },
      middleware: {
        executeCommand: async (command, args, next) => {
          if (!isRunCommand(command)) {
            return next(command, args);
          }
          return this.run(command, args, next);
        },
      },
    };
    const client = new LanguageClient('ward', 'Ward', serverOptions, clientOptions);
    this.client = client;
    // This client shows `ward/runOutput` (otherwise the server sends a
    // run's outcome as a message).
    client.registerFeature({
      fillClientCapabilities: (capabilities) => {
        capabilities.experimental = { ...(capabilities.experimental ?? {}), wardRunOutput: true };
      },
      initialize: () => {},
      getState: () => ({ kind: 'static' }),
      clear: () => {},
    });
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.crashed = false;
        this.setStatus('running', client.initializeResult?.serverInfo?.version);
      } else if (e.newState === State.Starting) {
        this.setStatus('starting');
      } else if (!this.crashed) {
        this.setStatus('stopped');
      }
    });
    client.onNotification(RUN_OUTPUT, (p: RunOutputParams) => {
      this.transcript.output(p.runId, p.text, p.task);
    });
    this.setStatus('starting');
    try {
      await client.start();
    } catch (e) {
      this.crashed = true;
      const message = e instanceof Error ? e.message : String(e);
      this.setStatus('crashed', message);
      void vscode.window.showErrorMessage(
        `The Ward language server (${found.path}) could not start: ${message}. ` +
          'Check `ward.server.path`, then run "Ward: Restart Server".',
      );
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(2000);
      } catch {
        // It had already stopped or never started.
      }
      await client.dispose();
    }
  }

  async restart(): Promise<void> {
    this.policy.reset();
    this.crashed = false;
    await this.stop();
    await this.start();
  }

  /** A Run / Profile / Run test command: its output goes to the Ward Run
   * channel as it arrives, a profile opens the Profile view. */
  private async run(
    command: RunCommand,
    args: unknown[],
    next: (command: string, args: unknown[]) => vscode.ProviderResult<unknown>,
  ): Promise<unknown> {
    const target = runArguments(args);
    const file = target ? vscode.Uri.parse(target.uri).fsPath : '?';
    this.transcript.line(runHeader(command, target?.fn ?? '?', file));
    this.runChannel.show(true);
    let result: RunResult;
    try {
      result = (await next(command, args)) as RunResult;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.transcript.line(runFailure(message));
      void vscode.window.showWarningMessage(`Ward: ${message}`);
      return undefined;
    }
    if (result === undefined || result === null) {
      return result;
    }
    if (!this.transcript.finished(result, runFooter(result))) {
      const runId = result.runId;
      setTimeout(() => this.transcript.flushAnyway(runId), 2000);
    }
    if (result.profile) {
      this.showProfile(result, `Profile of ${target?.fn ?? 'main'} · ${file.split(/[\\/]/).pop()}`);
    }
    return result;
  }

  private showProfile(result: RunResult, title: string): void {
    if (!result.profile) {
      return;
    }
    if (!this.profilePanel) {
      this.profilePanel = vscode.window.createWebviewPanel(
        'wardProfile',
        'Ward Profile',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false },
      );
      this.profilePanel.onDidDispose(() => (this.profilePanel = undefined));
    }
    this.profilePanel.title = title;
    this.profilePanel.webview.html = renderProfile(result.profile, title);
    this.profilePanel.reveal(vscode.ViewColumn.Beside, true);
  }

  async runActive(command: RunCommand): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'ward') {
      void vscode.window.showInformationMessage('Ward: open a .ward file to run it.');
      return;
    }
    if (!this.client || !this.client.isRunning()) {
      void vscode.window.showWarningMessage('Ward: the language server is not running.');
      return;
    }
    await vscode.commands.executeCommand(command, editor.document.uri.toString(), 'main');
  }

  showServerOutput(): void {
    this.serverChannel.show(true);
  }
}

/** Read-only documents `ward-syntax-tree:<file>.tree?<uri>` showing the
 * server's syntax tree of a document, kept up to date as it changes. */
class SyntaxTreeProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Map<string, vscode.Uri>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ext: Extension) {}

  static uriFor(doc: vscode.Uri): vscode.Uri {
    return vscode.Uri.from({
      scheme: SYNTAX_TREE_SCHEME,
      path: `${doc.path}.tree`,
      query: doc.toString(),
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = uri.query;
    this.open.set(source, uri);
    const client = this.ext.client;
    if (!client || !client.isRunning()) {
      return '; the Ward language server is not running';
    }
    const tree = await client.sendRequest<string | null>(SYNTAX_TREE, {
      textDocument: { uri: source },
    });
    return tree ?? '; the document is not open in the server';
  }

  /** A tree document closed: its source's edits no longer refresh it. */
  closed(tree: vscode.Uri): void {
    if (tree.scheme === SYNTAX_TREE_SCHEME) {
      this.open.delete(tree.query);
    }
  }

  documentChanged(doc: vscode.Uri): void {
    const tree = this.open.get(doc.toString());
    if (!tree) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(tree), 250);
  }
}

let current: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const ext = new Extension(context);
  current = ext;
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SYNTAX_TREE_SCHEME, ext.syntaxTrees),
    vscode.commands.registerCommand('ward.restartServer', () => ext.restart()),
    vscode.commands.registerCommand('ward.showServerOutput', () => ext.showServerOutput()),
    vscode.commands.registerCommand('ward.runMain', () => ext.runActive('ward.run')),
    vscode.commands.registerCommand('ward.profileMain', () => ext.runActive('ward.profile')),
    vscode.commands.registerCommand('ward.showSyntaxTree', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'ward') {
        void vscode.window.showInformationMessage('Ward: open a .ward file to see its syntax tree.');
        return;
      }
      const doc = await vscode.workspace.openTextDocument(
        SyntaxTreeProvider.uriFor(editor.document.uri),
      );
      await vscode.window.showTextDocument(doc, {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: true,
        preview: true,
      });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => ext.syntaxTrees.documentChanged(e.document.uri)),
    vscode.workspace.onDidCloseTextDocument((doc) => ext.syntaxTrees.closed(doc.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ward.server.path')) {
        void ext.restart();
      }
    }),
  );
  await ext.start();
}

export function deactivate(): Promise<void> | undefined {
  return current?.stop();
}
