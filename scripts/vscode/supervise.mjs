// Process supervision for `npm start` (start.mjs): code-server runs in its own process group
// (spawn `detached`, see code-server.mjs) so that it can be ended with everything it started, which
// also means that a signal sent to this script (or to npm above it) does not reach it. This module
// makes the group go when the script goes:
//   - SIGINT, SIGTERM and SIGHUP received by this process are forwarded to the whole group; a second
//     one (or the group still alive after `graceMs`) sends SIGKILL;
//   - when this process is orphaned (its parent — `npm` or the `sh -c` npm runs scripts with — died
//     without passing the signal on, as `kill <npm pid>` does), the group gets SIGHUP, as a terminal
//     would give it;
//   - whatever ends the group leader, the rest of the group is killed, and `done` resolves once the
//     leader has exited and its output pipes (inherited by the whole group) are closed, i.e. once
//     the processes holding them are gone (at most `graceMs` more).
// No polling for the child: the waits are on the child's `exit` / `close` events. The orphan check
// reads `process.ppid` (a system call) every `parentCheckMs`; there is no event for it.

/** The signals forwarded to the group. */
export const STOP_SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/** Sends a signal to a process group, ignoring one that is already gone. */
export function signalGroup(pid, signal) {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Supervises `child`, which must lead its own process group (spawned with `detached: true`).
 * @param {import('node:child_process').ChildProcess} child
 * @param {{ signals?: readonly NodeJS.Signals[], graceMs?: number, parentCheckMs?: number, log?: (line: string) => void }} [options]
 * @returns {{ done: Promise<{ code: number | null, signal: NodeJS.Signals | null, stoppedBy: NodeJS.Signals | undefined }>,
 *             stop: (signal?: NodeJS.Signals) => void, readonly stoppedBy: NodeJS.Signals | undefined }}
 *   `done`: the leader's exit code / signal and the signal that stopped it (undefined: it ended on its own).
 *   `stop(signal)`: ends the group as if this process had received `signal` (default SIGTERM).
 */
export function superviseGroup(child, options = {}) {
  const { signals = STOP_SIGNALS, graceMs = 5000, parentCheckMs = 1000, log = () => {} } = options;
  const pid = child.pid;
  /** @type {NodeJS.Signals | undefined} */
  let stoppedBy;
  let killTimer;
  let finished = false;

  const stop = (/** @type {NodeJS.Signals} */ signal = 'SIGTERM') => {
    if (finished) return;
    if (stoppedBy) {
      log(`${signal} again: killing process group ${pid}`);
      signalGroup(pid, 'SIGKILL');
      return;
    }
    stoppedBy = signal;
    log(`${signal}: stopping process group ${pid}`);
    signalGroup(pid, signal);
    killTimer = setTimeout(() => {
      log(`process group ${pid} still running ${graceMs} ms after ${signal}: SIGKILL`);
      signalGroup(pid, 'SIGKILL');
    }, graceMs);
  };

  const handlers = signals.map((signal) => {
    const handler = () => stop(signal);
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  const parent = process.ppid;
  const orphanCheck =
    parentCheckMs > 0
      ? setInterval(() => {
          if (process.ppid !== parent) {
            log(`parent process ${parent} is gone`);
            clearInterval(orphanCheck);
            stop('SIGHUP');
          }
        }, parentCheckMs)
      : undefined;
  orphanCheck?.unref();

  const done = new Promise((resolve) => {
    let exit = { code: child.exitCode, signal: child.signalCode };
    const onExit = (code, signal) => {
      exit = { code, signal };
      finished = true;
      clearTimeout(killTimer);
      if (orphanCheck) clearInterval(orphanCheck);
      for (const off of handlers) off();
      // Whatever is left of the group (the leader did not end its children) goes with it.
      signalGroup(pid, 'SIGKILL');
      // A process that left the group (setsid) may keep the pipes open: do not wait for it forever.
      setTimeout(onClose, graceMs).unref();
    };
    const onClose = () => resolve({ ...exit, stoppedBy });
    if (child.exitCode !== null || child.signalCode !== null) {
      onExit(child.exitCode, child.signalCode);
      onClose();
      return;
    }
    child.once('exit', onExit);
    child.once('close', onClose);
  });

  return {
    done,
    stop,
    get stoppedBy() {
      return stoppedBy;
    },
  };
}
