// `npm start` stopped by a signal (not only Ctrl+C) or orphaned ends the code-server it started:
// scripts/vscode/supervise.mjs, the supervision start.mjs puts around code-server's process group,
// run by a stand-in script (fixtures/supervisor.mjs) with a dummy long-running child that has a child
// of its own. No sleeps: the waits are on the processes' `exit` / `close` events (a process's `close`
// comes once everything holding its output pipes — the whole group here — is gone).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { superviseGroup } from '../../scripts/vscode/supervise.mjs';

const FIXTURE = path.join(__dirname, 'fixtures', 'supervisor.mjs');

interface Pids {
  child: number;
  grandchild: number;
}

/** Gone: no such process, or a zombie waiting for a reaper that is not ours. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

/** Every JSON line of `proc`'s stdout; resolves `ready` with the first line that has the pids. */
function watch(proc: ChildProcess): { ready: Promise<Pids>; lines: unknown[]; closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const lines: unknown[] = [];
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<Pids>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const value = JSON.parse(line) as Partial<Pids>;
      lines.push(value);
      if (typeof value.child === 'number' && typeof value.grandchild === 'number') resolve(value as Pids);
    });
    void closed.then(() => reject(new Error(`the supervisor ended before it was ready; stderr: ${stderr}`)));
  });
  return { ready, lines, closed };
}

function killIfLeft(pids: Pids | undefined): void {
  for (const pid of pids ? [pids.child, pids.grandchild] : []) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

describe('npm start process supervision (scripts/vscode/supervise.mjs)', { skip: process.platform === 'win32' && 'process groups are POSIX' }, () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} to the start script is forwarded to the child's process group, and the script waits for it`, { timeout: 30_000 }, async () => {
      const supervisor = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
      const w = watch(supervisor);
      let pids: Pids | undefined;
      try {
        pids = await w.ready;
        assert.ok(!gone(pids.child) && !gone(pids.grandchild), 'the dummy server runs');
        supervisor.kill(signal);
        const end = await w.closed;
        assert.equal(end.signal, signal, 'the script ends by the same signal');
        assert.ok(w.lines.some((l) => (l as { childGot?: string }).childGot === signal), `the child got ${signal}: ${JSON.stringify(w.lines)}`);
        assert.deepEqual((w.lines.at(-1) as { end?: { stoppedBy?: string } }).end?.stoppedBy, signal);
        assert.ok(gone(pids.child), 'the child is gone');
        assert.ok(gone(pids.grandchild), "the child's own child is gone");
      } finally {
        killIfLeft(pids);
        supervisor.kill('SIGKILL');
      }
    });
  }

  it('an orphaned start script (its `sh -c` killed by npm without passing the signal on) stops the group', { timeout: 30_000 }, async () => {
    // `; exit $?` keeps sh from exec-ing node: the shape `npm start` runs (npm → sh -c → node).
    const sh = spawn('/bin/sh', ['-c', `"${process.execPath}" "${FIXTURE}"; exit $?`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SUPERVISE_PARENT_CHECK_MS: '20' } });
    const w = watch(sh);
    let pids: Pids | undefined;
    try {
      pids = await w.ready;
      sh.kill('SIGTERM');
      // `close`: sh has exited and every holder of its output pipes (the script, the child, the grandchild) is gone.
      await w.closed;
      assert.deepEqual((w.lines.at(-1) as { end?: { stoppedBy?: string } }).end?.stoppedBy, 'SIGHUP', JSON.stringify(w.lines));
      assert.ok(gone(pids.child) && gone(pids.grandchild));
    } finally {
      killIfLeft(pids);
    }
  });

  it('a child that ends by itself ends the supervision, which then leaves the signals alone', { timeout: 30_000 }, async () => {
    const before = process.listenerCount('SIGTERM');
    const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { detached: true, stdio: 'ignore' });
    const s = superviseGroup(child, { parentCheckMs: 0 });
    assert.equal(process.listenerCount('SIGTERM'), before + 1);
    const end = await s.done;
    assert.deepEqual(end, { code: 3, signal: null, stoppedBy: undefined });
    assert.equal(process.listenerCount('SIGTERM'), before);
  });
});
