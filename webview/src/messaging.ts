/**
 * The webview end of the host channel: one typed `post()`, incoming messages checked and
 * dispatched, and the ready-first handshake (the listener is installed before `ready` is sent,
 * and nothing is posted before `ready`).
 */
import type { HostToWebview, PanelMessage, WebviewToHost } from '../../protocol/protocol';

/** What `acquireVsCodeApi()` returns inside a VS Code webview. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export type HostMessage = PanelMessage<HostToWebview>;

const HOST_TYPES: ReadonlySet<string> = new Set<keyof HostToWebview>(['init', 'event', 'loadRun', 'theme']);

export function isHostMessage(data: unknown): data is HostMessage {
  if (!data || typeof data !== 'object') return false;
  const m = data as { type?: unknown; payload?: unknown };
  return typeof m.type === 'string' && HOST_TYPES.has(m.type) && m.payload !== undefined && m.payload !== null;
}

export interface HostChannel {
  post<K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void;
}

interface MessageTarget {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Listens first, then sends `ready`; returns the typed sender. */
export function connect(api: VsCodeApi, target: MessageTarget, ready: WebviewToHost['ready'], onMessage: (m: HostMessage) => void): HostChannel {
  target.addEventListener('message', (event) => {
    if (isHostMessage(event.data)) onMessage(event.data);
  });
  const post = <K extends keyof WebviewToHost>(type: K, payload: WebviewToHost[K]): void => {
    api.postMessage({ type, payload } satisfies { type: K; payload: WebviewToHost[K] });
  };
  post('ready', ready);
  return { post };
}
