/** A throwaway LevelDB state store for benchmarks: opened in a temp dir, closed and removed after `fn`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/types.js';

export async function onDisk<T>(fn: (store: StateStore) => Promise<T>, prefix = 'dexchain-bench-'): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const store = await openStateStore(dir);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
