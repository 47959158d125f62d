import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Analysis is background work: let the main thread (completion, hover) win the CPU on a busy
 * machine. Linux only: a thread's nice value is set through its thread id.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: run at normal priority.
  }
}
