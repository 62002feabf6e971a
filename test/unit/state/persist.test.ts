import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { openStateStore, memoryStateStore, utf8, fromUtf8 } from '../../../src/state/index.js';
import { k, v, s, entries, tempDir } from './helpers.js';

describe('state/persistence', () => {
  it('commit and reopen give identical height, hash and contents', async () => {
    const { dir, cleanup } = tempDir('state');
    try {
      const st = await openStateStore(dir);
      assert.equal(st.height, 0);
      for (let h = 1; h <= 5; h++) {
        const c = st.cache();
        for (let i = 0; i < 100; i++) c.set(k(`a/${h}/${i}`), v(`${h}-${i}`));
        if (h > 1) c.delete(k(`a/${h - 1}/0`));
        c.write();
        await st.commit(h);
      }
      st.working().set(k('uncommitted'), v('x'));
      const hash = st.appHash;
      const contents = entries(st.committed());
      const h3 = st.appHashAt(3);
      await st.close();

      const re = await openStateStore(dir);
      assert.equal(re.height, 5);
      assert.deepEqual(re.appHash, hash);
      assert.deepEqual(re.appHashAt(3), h3);
      assert.deepEqual(entries(re.committed()), contents);
      assert.equal(re.committed().get(k('uncommitted')), undefined);
      assert.equal(s(re.working().get(k('a/5/7'))), '5-7');
      // continues from there
      re.working().set(k('z'), v('1'));
      const h6 = await re.commit(6);
      await re.close();
      const again = await openStateStore(dir);
      assert.deepEqual(again.appHash, h6);
      assert.equal(again.height, 6);
      await again.close();
    } finally {
      cleanup();
    }
  });

  it('detects on-disk corruption at open', async () => {
    const { dir, cleanup } = tempDir('state-corrupt');
    try {
      const st = await openStateStore(dir);
      st.working().set(k('a'), v('1'));
      await st.commit(1);
      await st.close();
      const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.put(new Uint8Array([0x64, ...k('a')]), v('2'));
      await db.close();
      await assert.rejects(openStateStore(dir), /corrupt/);
    } finally {
      cleanup();
    }
  });

  it('survives kill -9 at a random moment: the last height is complete', async function () {
    this.timeout(120000);
    const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
    for (let round = 0; round < 3; round++) {
      const { dir, cleanup } = tempDir('state-crash');
      try {
        let reported = 0;
        for (let life = 0; life < 2; life++) {
          const killAfter = 3 + Math.floor(Math.random() * 25);
          const extraMs = Math.random() * 15;
          const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
          await new Promise<void>((resolve, reject) => {
            let buf = '';
            let seen = 0;
            proc.on('error', reject);
            proc.on('exit', () => resolve());
            proc.stdout!.on('data', (d: Buffer) => {
              buf += d.toString();
              const lines = buf.split('\n');
              buf = lines.pop()!;
              for (const line of lines) {
                const m = /^committed (\d+)$/.exec(line);
                if (m) {
                  reported = Number(m[1]);
                  if (++seen === killAfter) setTimeout(() => proc.kill('SIGKILL'), extraMs);
                }
              }
            });
          });
        }
        const st = await openStateStore(dir);
        try {
          const h = st.height;
          assert.ok(h >= reported, `height ${h} below last reported commit ${reported}`);
          const r = st.committed();
          assert.equal(fromUtf8(r.get(utf8('count'))!), String(h));
          assert.equal(fromUtf8(r.get(utf8('last'))!), String(h));
          const bs = entries(r, 'b/');
          assert.equal(bs.length, 200);
          for (const [, val] of bs) assert.equal(val, String(h));
          const ks = entries(r, 'k/').map(([key]) => Number(key.slice(2)));
          const expected: number[] = [];
          for (let i = Math.max(1, h - 4); i <= h; i++) expected.push(i);
          assert.deepEqual(ks, expected);
          // the hash equals the one recomputed from the contents alone
          const m = memoryStateStore();
          for (const [key, val] of r.iterate(new Uint8Array(0))) m.working().set(key, val);
          assert.deepEqual(await m.commit(1), st.appHash);
        } finally {
          await st.close();
        }
      } finally {
        cleanup();
      }
    }
  });
});
