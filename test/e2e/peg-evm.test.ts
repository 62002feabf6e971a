/**
 * Peg over a real EVM (ganache on a random 127.0.0.1 port) with a hand-assembled ERC-20 and
 * three custodian relayers against an in-process app: deposit → mint, withdraw → payout →
 * attest → burn, then a relayer restart that must repeat nothing.
 */
import { pegEvmScenario } from './peg-evm-lib.js';

describe('e2e: peg over an EVM chain', function () {
  this.timeout(120_000);
  it('deposit → mint, withdraw → payout → attest → burn; a restarted relayer repeats nothing', async () => {
    await pegEvmScenario({ restart: true });
  });
});
