/**
 * Account keys of a home, by name. Two backends:
 *  - `test`: plain JSON files under `keyring-test/` (mode 0600), for scripts and local nets;
 *  - `file`: the SDK-compatible encrypted keystore under `keyring-file/` (password required).
 * Addresses are stored raw; bech32 is applied with the chain's prefix when shown.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicKeyFromPrivate } from '../crypto/secp256k1.js';
import { addressFromPubKey, toHex, fromHex } from '../crypto/hash.js';
import { generateMnemonic, privateKeyFromMnemonic, validateMnemonic } from '../crypto/hd.js';
import { encryptKeystore, decryptKeystore } from '../crypto/keystore.js';
import { homePaths } from './config.js';

export type KeyringBackend = 'test' | 'file';

export interface KeyInfo {
  name: string;
  /** 20-byte address, hex. */
  address: string;
  /** 33-byte compressed public key, hex. */
  pubkey: string;
  backend: KeyringBackend;
  /** File holding the key. */
  path: string;
}

interface TestKeyFile {
  name: string;
  address: string;
  pubkey: string;
  privkey: string;
  mnemonic?: string;
}

interface FileKeyFile {
  name: string;
  address: string;
  pubkey: string;
  keystore: object;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class Keyring {
  readonly dir: string;
  constructor(readonly home: string, readonly backend: KeyringBackend) {
    const p = homePaths(home);
    this.dir = backend === 'test' ? p.keyringTest : p.keyringFile;
  }

  private file(name: string): string {
    if (!NAME_RE.test(name)) throw new Error(`invalid key name "${name}" (letters, digits, _ . -; up to 64)`);
    return join(this.dir, `${name}.json`);
  }

  has(name: string): boolean {
    return existsSync(this.file(name));
  }

  /** Creates a key from a new (or given) mnemonic; returns the info and the mnemonic. */
  add(name: string, opts: { mnemonic?: string; index?: number; account?: number; password?: string; overwrite?: boolean } = {}): { info: KeyInfo; mnemonic: string } {
    const mnemonic = opts.mnemonic?.trim().replace(/\s+/g, ' ') ?? generateMnemonic(256);
    if (!validateMnemonic(mnemonic)) throw new Error('invalid mnemonic (BIP39 words with a valid checksum expected)');
    const priv = privateKeyFromMnemonic(mnemonic, opts.index ?? 0, opts.account ?? 0);
    const info = this.importPrivateKey(name, priv, { ...opts, mnemonic });
    return { info, mnemonic };
  }

  importPrivateKey(name: string, priv: Uint8Array, opts: { password?: string; overwrite?: boolean; mnemonic?: string } = {}): KeyInfo {
    const path = this.file(name);
    if (existsSync(path) && !opts.overwrite) throw new Error(`key "${name}" already exists in the ${this.backend} keyring (${path})`);
    if (priv.length !== 32) throw new Error('private key must be 32 bytes');
    const pub = publicKeyFromPrivate(priv);
    const address = toHex(addressFromPubKey(pub));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (this.backend === 'test') {
      const f: TestKeyFile = { name, address, pubkey: toHex(pub), privkey: toHex(priv), ...(opts.mnemonic ? { mnemonic: opts.mnemonic } : {}) };
      writeFileSync(path, JSON.stringify(f, null, 2) + '\n', { mode: 0o600 });
    } else {
      if (!opts.password) throw new Error('the file keyring needs a password (--password or DEXCHAIN_KEYRING_PASSWORD)');
      const f: FileKeyFile = { name, address, pubkey: toHex(pub), keystore: encryptKeystore(priv, opts.password) };
      writeFileSync(path, JSON.stringify(f, null, 2) + '\n', { mode: 0o600 });
    }
    return { name, address, pubkey: toHex(pub), backend: this.backend, path };
  }

  show(name: string): KeyInfo {
    const path = this.file(name);
    if (!existsSync(path)) throw new Error(`key "${name}" not found in the ${this.backend} keyring (${this.dir})`);
    const f = JSON.parse(readFileSync(path, 'utf8')) as { address: string; pubkey: string };
    return { name, address: f.address, pubkey: f.pubkey, backend: this.backend, path };
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => this.show(f.slice(0, -5)));
  }

  privateKey(name: string, password?: string): Uint8Array {
    const path = this.file(name);
    if (!existsSync(path)) throw new Error(`key "${name}" not found in the ${this.backend} keyring (${this.dir})`);
    const raw = JSON.parse(readFileSync(path, 'utf8'));
    if (this.backend === 'test') return fromHex((raw as TestKeyFile).privkey);
    if (!password) throw new Error('the file keyring needs a password (--password or DEXCHAIN_KEYRING_PASSWORD)');
    return decryptKeystore((raw as FileKeyFile).keystore, password);
  }

  /** The encrypted keystore JSON of a key (the SDK's format). */
  exportKeystore(name: string, password: string, sourcePassword?: string): object {
    const priv = this.privateKey(name, sourcePassword ?? password);
    return encryptKeystore(priv, password);
  }
}
