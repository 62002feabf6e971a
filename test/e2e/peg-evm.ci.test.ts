/** CI variant of the peg EVM test (≈ 3 s): ganache + hand-assembled ERC-20 + three relayers, deposit → mint → withdraw → payout → burn. */
import { pegEvmScenario } from './peg-evm-lib.js';

describe('e2e (ci): peg over an EVM chain', function () {
  this.timeout(60_000);
  it('deposit → mint, withdraw → payout → attest → burn', async () => {
    await pegEvmScenario({ restart: false });
  });
});
