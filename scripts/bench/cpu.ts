/**
 * CPU µs this process has used so far (user + system, every thread: the main thread, V8's
 * helpers and any workers). Steadier than wall time on a shared machine; the benches time a
 * step by the difference of two readings.
 */
export function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
