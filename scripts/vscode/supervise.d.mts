// Types of supervise.mjs (for the TypeScript tests that import it).
import type { ChildProcess } from 'node:child_process';

export declare const STOP_SIGNALS: readonly ['SIGINT', 'SIGTERM', 'SIGHUP'];

export declare function signalGroup(pid: number | undefined, signal: NodeJS.Signals): boolean;

export interface SupervisionEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The signal that stopped the group; undefined when the leader ended by itself. */
  stoppedBy: NodeJS.Signals | undefined;
}

export interface Supervision {
  readonly done: Promise<SupervisionEnd>;
  stop(signal?: NodeJS.Signals): void;
  readonly stoppedBy: NodeJS.Signals | undefined;
}

export declare function superviseGroup(
  child: ChildProcess,
  options?: { signals?: readonly NodeJS.Signals[]; graceMs?: number; parentCheckMs?: number; log?: (line: string) => void },
): Supervision;
