import { Chain } from './chain.mjs';
import { compileStrict } from './compile.mjs';

export const E18 = 10n ** 18n;

let cached;
/** Compiled artifacts of contracts/ (compiled once per test file; any solc warning throws). */
export function artifacts() {
  cached ??= compileStrict();
  return cached;
}

/**
 * Fresh chain with owner/alice/bob/carol, a staking token, a reward token and the staking contract.
 * `sameToken: true` makes the reward token the staking token.
 */
export async function setup({ rate = E18 / 100n, sameToken = false, art = artifacts() } = {}) {
  const chain = await Chain.create();
  const [owner, alice, bob, carol] = Chain.accounts(4);
  const stakeToken = await chain.deploy(owner, art.MockERC20, ['Stake', 'STK']);
  const rewardToken = sameToken ? stakeToken : await chain.deploy(owner, art.MockERC20, ['Reward', 'RWD']);
  const staking = await chain.deploy(owner, art.StakingRewards, [stakeToken.address, rewardToken.address, rate, owner.address]);
  return { chain, owner, alice, bob, carol, stakeToken, rewardToken, staking, rate };
}

/** Mints `amount` to `user`, approves and stakes it; returns the block number of the stake tx. */
export async function mintAndStake({ stakeToken, staking }, user, amount) {
  await stakeToken.send(user, 'mint', [user.address, amount]);
  await stakeToken.send(user, 'approve', [staking.address, amount]);
  return (await staking.send(user, 'stake', [amount])).blockNumber;
}

/** What `amount` staked earns over `blocks` blocks at `rate` (the contract's unit). */
export const accrued = (amount, rate, blocks) => (amount * rate * BigInt(blocks)) / E18;
