import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { utf8, fromUtf8 } from '../../../src/state/index.js';
import type { KVReader } from '../../../src/state/index.js';

export const k = (s: string): Uint8Array => utf8(s);
export const v = (s: string): Uint8Array => utf8(s);
export const s = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : fromUtf8(b));

export function entries(view: KVReader, prefix = '', opts?: { reverse?: boolean; start?: string; limit?: number }): [string, string][] {
  const out: [string, string][] = [];
  const o = opts ? { reverse: opts.reverse, limit: opts.limit, start: opts.start === undefined ? undefined : utf8(opts.start) } : undefined;
  for (const [key, val] of view.iterate(utf8(prefix), o)) out.push([fromUtf8(key), fromUtf8(val)]);
  return out;
}

export function tempDir(name: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `dexchain-${name}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
