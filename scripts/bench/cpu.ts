import { readFileSync } from 'node:fs';

/**
 * CPU µs this process has used so far (user + system, every thread: the main thread, V8's
 * helpers and any workers). Steadier than wall time on a shared machine; the benches time a
 * step by the difference of two readings.
 */
export function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU seconds (user + system) process `pid` has used so far, from /proc (0 where unavailable). */
export function pidCpuSec(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}
