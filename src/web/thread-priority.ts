import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lower the calling thread's CPU priority (nice 10) so the server's event loop wins the CPU while
 * background work runs on a worker thread: on Linux the nice value is per thread (setpriority(2) on
 * a thread id, see its NOTES). Elsewhere, or when not permitted, a no-op.
 * @example niceThisThread(); // first thing in a worker
 */
export function niceThisThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: the work runs at normal priority.
  }
}
