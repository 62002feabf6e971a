/**
 * BIP39 mnemonics and BIP32/44 derivation for account keys, on the path the Binance Chain SDK
 * and wallets use: m/44'/714'/{account}'/0/{index} (714 = BNB's SLIP-44 coin type).
 */
import { generateMnemonic as bip39Generate, mnemonicToSeedSync, validateMnemonic as bip39Validate } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { HDKey } from '@scure/bip32';

export const BNB_COIN_TYPE = 714;

/** strength in bits: 128 → 12 words … 256 → 24 words (the SDK's default). */
export function generateMnemonic(strength = 256): string {
  return bip39Generate(english, strength);
}

/** English wordlist with a valid checksum (the only list the node's CLI generates). */
export function validateMnemonic(mnemonic: string): boolean {
  return bip39Validate(normalize(mnemonic), english);
}

function normalize(m: string): string {
  return m.trim().split(/\s+/).join(' ');
}

export function hdPath(index = 0, account = 0): string {
  for (const [name, v] of [['index', index], ['account', account]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= 0x80000000) throw new Error(`HD ${name} must be an integer in [0, 2^31), got ${v}`);
  }
  return `m/44'/${BNB_COIN_TYPE}'/${account}'/0/${index}`;
}

export function privateKeyFromMnemonic(mnemonic: string, index = 0, account = 0, passphrase = ''): Uint8Array {
  const m = normalize(mnemonic);
  if (!bip39Validate(m, english)) throw new Error('invalid mnemonic (BIP39 english words with a valid checksum expected)');
  const key = HDKey.fromMasterSeed(mnemonicToSeedSync(m, passphrase)).derive(hdPath(index, account));
  if (!key.privateKey) throw new Error('HD derivation produced no private key');
  return key.privateKey;
}
