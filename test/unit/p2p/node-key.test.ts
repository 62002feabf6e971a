import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadOrCreateNodeKey, nodeIdFromKeyFile } from '../../../src/p2p/node-key.js';
import { tempDir } from './helpers.js';

describe('p2p node key', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => { dir = tempDir('dexchain-nodekey-'); });
  afterEach(() => dir.remove());

  it('creates a key once, private, and loads the same identity after', async () => {
    const path = `${dir.path}/home/config/node_key.json`;
    const a = await loadOrCreateNodeKey(path);
    assert.match(a.id, /^12D3KooW/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(file.priv_key.type, 'ed25519');
    assert.equal(file.id, a.id);
    const b = await loadOrCreateNodeKey(path);
    assert.equal(b.id, a.id);
    assert.equal(nodeIdFromKeyFile(path), a.id);
  });

  it('rejects a file whose id does not match its key, or a broken file', async () => {
    const path = `${dir.path}/node_key.json`;
    await loadOrCreateNodeKey(path);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...file, id: '12D3KooWBpUNCcNQWUKcSQ3CGCCU2LcYQjwvL5bfwgAe8cH9wWj9' }));
    assert.throws(() => nodeIdFromKeyFile(path), /does not match/);
    writeFileSync(path, JSON.stringify({ priv_key: { type: 'ed25519', value: 'AAAA' } }));
    assert.throws(() => nodeIdFromKeyFile(path), /invalid key/);
    writeFileSync(path, '{nope');
    await assert.rejects(loadOrCreateNodeKey(path), /cannot read/);
  });
});
