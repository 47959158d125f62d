/**
 * What `activate()` returns (`vscode.extensions.getExtension('model-lens.model-lens').exports`):
 * read-only views of the runs, the panels and the runtime, for the real-VS-Code test suite and
 * for other extensions. Everything returned is plain data.
 */
import type { ModelGraph } from '../../graph/model-graph';
import type { TrainerEvent } from '../../protocol/protocol';
import type { LensContext } from './lens-context';
import type { RuntimeChoice } from './native-backend';
import type { PanelSnapshot } from './panel-host';
import type { RunSnapshot } from './run-manager';

export interface ModelLensApi {
  readonly version: 1;
  /** Resolves once the language server has started. */
  ready(): Promise<void>;
  /** The language server's model graph of a file (URI string). */
  modelGraph(uri: string): Promise<ModelGraph | null>;
  runs: {
    list(): RunSnapshot[];
    get(id: number): RunSnapshot | undefined;
    /** Every event the run's trainer sent so far (copies). */
    events(id: number): TrainerEvent[];
    /** Resolves with the run's final snapshot; rejects after `timeoutMs` (default 120 s). */
    waitForEnd(id: number, timeoutMs?: number): Promise<RunSnapshot>;
    /** The user's taps of a model (`key` = RunSnapshot.key). */
    taps(key: string): string[];
    /** Called on each run start, end and (throttled by the trainer) progress event. */
    onDidChange(listener: (run: RunSnapshot) => void): { dispose(): void };
  };
  panels: {
    list(): PanelSnapshot[];
    /** Resolves when some panel satisfies `predicate` (polled every 50 ms); rejects after `timeoutMs` (default 30 s). */
    waitFor(predicate: (panel: PanelSnapshot) => boolean, timeoutMs?: number): Promise<PanelSnapshot>;
  };
  /** Which TensorFlow.js runtime a run would use now. */
  runtime(): RuntimeChoice;
  /** The status bar item's text. */
  statusText(): string;
  /**
   * The context keys the extension maintains, as last set with `setContext` (VS Code offers no
   * way to read a context key back), and the layer under the cursor they are about.
   */
  contextKeys(): { values: Record<string, boolean>; layer?: string; key?: string };
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function createApi(ctx: LensContext): ModelLensApi {
  return {
    version: 1,
    ready: () => ctx.lsp.ready(),
    modelGraph: (uri) => ctx.lsp.modelGraph(uri),
    runs: {
      list: () => ctx.runs.list().map((r) => r.snapshot()),
      get: (id) => ctx.runs.get(id)?.snapshot(),
      events: (id) => structuredClone(ctx.runs.get(id)?.events ?? []),
      waitForEnd: (id, ms = 120_000) => {
        const run = ctx.runs.get(id);
        if (!run) return Promise.reject(new Error(`no run #${id}`));
        return timeout(run.done, ms, `run #${id} to end`);
      },
      taps: (key) => [...ctx.runs.tapsOf(key)],
      onDidChange: (listener) => {
        const subs = [
          ctx.runs.onDidStart((r) => listener(r.snapshot())),
          ctx.runs.onDidEnd((r) => listener(r.snapshot())),
          ctx.runs.onDidEvent(({ run, event }) => {
            if (event.type === 'epoch' || event.type === 'start') listener(run.snapshot());
          }),
        ];
        return { dispose: () => subs.forEach((s) => s.dispose()) };
      },
    },
    panels: {
      list: () => ctx.panels.snapshot(),
      waitFor: (predicate, ms = 30_000) =>
        new Promise<PanelSnapshot>((resolve, reject) => {
          const deadline = Date.now() + ms;
          const check = () => {
            const hit = ctx.panels.snapshot().find(predicate);
            if (hit) resolve(hit);
            else if (Date.now() > deadline) reject(new Error(`timed out after ${ms} ms waiting for a panel; panels: ${JSON.stringify(ctx.panels.snapshot())}`));
            else setTimeout(check, 50);
          };
          check();
        }),
    },
    runtime: () => ctx.runtime.choose(),
    statusText: () => ctx.status.text,
    contextKeys: () => {
      const { layer, key } = ctx.layerKeys.context();
      return { values: ctx.layerKeys.values(), ...(layer ? { layer } : {}), ...(key ? { key } : {}) };
    },
  };
}
