import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { E18, accrued, mintAndStake, setup } from './helpers/fixture.mjs';

const bal = (token, who) => token.read('balanceOf', [who.address ?? who]);

/** Asserts that `promise` reverts with custom error `name` (and optionally these args). */
async function revertsWith(promise, name, args) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.decoded?.name, name, err.message);
    if (args) assert.deepEqual([...err.decoded.args], args);
    return true;
  });
}

describe('stake', () => {
  test('moves tokens into the contract and records the stake', async () => {
    const f = await setup();
    const { alice, stakeToken, staking } = f;
    await stakeToken.send(alice, 'mint', [alice.address, 1000n * E18]);
    await stakeToken.send(alice, 'approve', [staking.address, 1000n * E18]);
    const { logs } = await staking.send(alice, 'stake', [400n * E18]);

    assert.equal(await bal(stakeToken, alice), 600n * E18);
    assert.equal(await bal(stakeToken, staking), 400n * E18);
    assert.equal(await staking.read('stakedOf', [alice.address]), 400n * E18);
    assert.equal(await staking.read('totalStaked'), 400n * E18);
    const ev = logs.find((l) => l.name === 'Staked');
    assert.equal(ev.args.user, alice.address);
    assert.equal(ev.args.amount, 400n * E18);
  });

  test('stake(0) reverts with ZeroAmount', async () => {
    const { alice, staking } = await setup();
    await revertsWith(staking.send(alice, 'stake', [0n]), 'ZeroAmount');
  });

  test('stake without allowance reverts and changes nothing', async () => {
    const { alice, stakeToken, staking } = await setup();
    await stakeToken.send(alice, 'mint', [alice.address, E18]);
    await revertsWith(staking.send(alice, 'stake', [E18]), 'ERC20InsufficientAllowance');
    assert.equal(await staking.read('totalStaked'), 0n);
    assert.equal(await bal(stakeToken, alice), E18);
  });
});

describe('reward accrual', () => {
  test('accrues per block from each staker\'s OWN start block', async () => {
    const f = await setup();
    const { chain, alice, bob, staking, rate } = f;
    const a = 1000n * E18, b = 500n * E18;

    const aliceStart = await mintAndStake(f, alice, a);
    assert.equal(await staking.read('pendingRewards', [alice.address]), 0n, 'nothing in the stake block itself');
    chain.mine(10);
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, rate, 10));

    const bobStart = await mintAndStake(f, bob, b);
    assert.ok(bobStart > 12n, 'bob joins well after block 0 and after alice');
    assert.equal(await staking.read('pendingRewards', [bob.address]), 0n, 'bob earns nothing for blocks before he staked');
    chain.mine(7);

    const now = chain.blockNumber;
    const bobPending = await staking.read('pendingRewards', [bob.address]);
    assert.equal(bobPending, accrued(b, rate, now - bobStart));
    assert.equal(bobPending, accrued(b, rate, 7));
    assert.notEqual(bobPending, accrued(b, rate, now), 'not measured from block 0');
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, rate, now - aliceStart));
  });

  test('a staker who fully withdrew earns nothing for the gap before re-staking', async () => {
    const f = await setup();
    const { chain, alice, staking, rate } = f;
    const a = 100n * E18;
    const start = await mintAndStake(f, alice, a);
    chain.mine(4);
    const out = (await staking.send(alice, 'withdraw', [a])).blockNumber;
    const owed = accrued(a, rate, out - start);
    chain.mine(20);
    assert.equal(await staking.read('pendingRewards', [alice.address]), owed, 'no accrual while not staked');
    await f.stakeToken.send(alice, 'approve', [staking.address, a]);
    const again = (await staking.send(alice, 'stake', [a])).blockNumber;
    chain.mine(3);
    assert.equal(await staking.read('pendingRewards', [alice.address]), owed + accrued(a, rate, chain.blockNumber - again));
  });
});

describe('claim and withdraw', () => {
  test('claim pays exactly the accrued amount', async () => {
    const f = await setup();
    const { chain, owner, alice, rewardToken, staking, rate } = f;
    const fund = 10_000n * E18;
    await rewardToken.send(owner, 'mint', [staking.address, fund]);
    const a = 250n * E18;
    const start = await mintAndStake(f, alice, a);
    chain.mine(9);

    const { blockNumber, logs } = await staking.send(alice, 'claim');
    const expected = accrued(a, rate, blockNumber - start);
    assert.equal(expected, accrued(a, rate, 10));
    assert.equal(await bal(rewardToken, alice), expected);
    assert.equal(await bal(rewardToken, staking), fund - expected);
    assert.equal(logs.find((l) => l.name === 'RewardPaid').args.reward, expected);
    assert.equal(await staking.read('pendingRewards', [alice.address]), 0n, 'nothing pending in the claim block');
    chain.mine(1);
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, rate, 1), 'keeps accruing after a claim');
    await revertsWith(staking.send(f.bob, 'claim'), 'NothingToClaim');
    assert.equal(await staking.read('stakedOf', [alice.address]), a, 'claim leaves the stake');
  });

  test('withdraw returns the principal; rewards earned up to the withdrawal stay claimable', async () => {
    const f = await setup();
    const { chain, owner, alice, stakeToken, rewardToken, staking, rate } = f;
    await rewardToken.send(owner, 'mint', [staking.address, 10_000n * E18]);
    const a = 300n * E18;
    const start = await mintAndStake(f, alice, a);
    chain.mine(5);

    const half = (await staking.send(alice, 'withdraw', [a / 2n])).blockNumber;
    assert.equal(await bal(stakeToken, alice), a / 2n);
    chain.mine(5);
    const { blockNumber: end, logs } = await staking.send(alice, 'withdraw', [a / 2n]);
    assert.equal(logs.find((l) => l.name === 'Withdrawn').args.amount, a / 2n);
    assert.equal(await bal(stakeToken, alice), a, 'full principal back');
    assert.equal(await bal(stakeToken, staking), 0n);
    assert.equal(await staking.read('totalStaked'), 0n);

    const expected = accrued(a, rate, half - start) + accrued(a / 2n, rate, end - half);
    chain.mine(50);
    assert.equal(await staking.read('pendingRewards', [alice.address]), expected);
    await staking.send(alice, 'claim');
    assert.equal(await bal(rewardToken, alice), expected);
  });

  test('withdraw more than staked reverts; withdraw(0) reverts', async () => {
    const f = await setup();
    const { alice, bob, staking } = f;
    await mintAndStake(f, alice, 10n * E18);
    await mintAndStake(f, bob, 50n * E18);
    await revertsWith(staking.send(alice, 'withdraw', [10n * E18 + 1n]), 'InsufficientStake', [10n * E18 + 1n, 10n * E18]);
    await revertsWith(staking.send(alice, 'withdraw', [0n]), 'ZeroAmount');
    assert.equal(await staking.read('stakedOf', [alice.address]), 10n * E18);
  });

  test('claim reverts (and keeps the debt) when the reward pool is underfunded; principal is still withdrawable', async () => {
    const f = await setup();
    const { chain, alice, stakeToken, staking, rate } = f;
    const a = 100n * E18;
    const start = await mintAndStake(f, alice, a);
    chain.mine(2);
    const owed = accrued(a, rate, chain.blockNumber + 1n - start); // claim is mined in the next block
    await revertsWith(staking.send(alice, 'claim'), 'InsufficientRewardBalance', [owed, 0n]);
    await staking.send(alice, 'withdraw', [a]);
    assert.equal(await bal(stakeToken, alice), a);
    const end = chain.blockNumber;
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, rate, end - start), 'debt kept after failed claim');
  });
});

describe('same token for staking and rewards', () => {
  test('principal is never paid out as rewards', async () => {
    const f = await setup({ sameToken: true, rate: E18 / 10n });
    const { chain, owner, alice, bob, stakeToken, staking, rate } = f;
    const fund = 5n * E18;
    await stakeToken.send(owner, 'mint', [staking.address, fund]);
    const a = 100n * E18, b = 1000n * E18;
    const aStart = await mintAndStake(f, alice, a);
    await mintAndStake(f, bob, b);
    assert.equal(await staking.read('rewardBalance'), fund, 'staked principal is excluded');

    chain.mine(100); // alice is owed far more than the 5-token fund
    const owed = accrued(a, rate, chain.blockNumber + 1n - aStart);
    assert.ok(owed > fund);
    await revertsWith(staking.send(alice, 'claim'), 'InsufficientRewardBalance', [owed, fund]);
    assert.equal(await bal(stakeToken, staking), a + b + fund, 'nothing left the contract');

    // Once the owner tops the pool up, the claim is paid from the pool only.
    const topUp = 2000n * E18;
    await stakeToken.send(owner, 'mint', [staking.address, topUp]);
    const { blockNumber: claimed } = await staking.send(alice, 'claim');
    const paid = accrued(a, rate, claimed - aStart);
    assert.equal(await bal(stakeToken, alice), paid);
    assert.equal(await staking.read('rewardBalance'), fund + topUp - paid);

    await staking.send(bob, 'withdraw', [b]);
    await staking.send(alice, 'withdraw', [a]);
    assert.equal(await bal(stakeToken, bob), b);
    assert.equal(await bal(stakeToken, alice), a + paid);
    assert.equal(await bal(stakeToken, staking), fund + topUp - paid);
  });
});

describe('reward rate', () => {
  test('changing the rate is not retroactive', async () => {
    const f = await setup({ rate: 2n * E18 / 100n });
    const { chain, owner, alice, bob, staking } = f;
    const r1 = 2n * E18 / 100n, r2 = 7n * E18 / 100n;
    const a = 100n * E18, b = 40n * E18;
    const aStart = await mintAndStake(f, alice, a);
    chain.mine(6);
    const bStart = await mintAndStake(f, bob, b);
    chain.mine(3);
    const aliceBefore = await staking.read('pendingRewards', [alice.address]);

    const { blockNumber: change, logs } = await staking.send(owner, 'setRewardRate', [r2]);
    const ev = logs.find((l) => l.name === 'RewardRateUpdated');
    assert.deepEqual([ev.args.oldRate, ev.args.newRate], [r1, r2]);
    assert.equal(await staking.read('rewardRate'), r2);
    // Right after the change, everything accrued so far was at r1 (incl. the change block itself).
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, r1, change - aStart));
    assert.ok(await staking.read('pendingRewards', [alice.address]) > aliceBefore);

    chain.mine(8);
    const now = chain.blockNumber;
    assert.equal(await staking.read('pendingRewards', [alice.address]), accrued(a, r1, change - aStart) + accrued(a, r2, now - change));
    assert.equal(await staking.read('pendingRewards', [bob.address]), accrued(b, r1, change - bStart) + accrued(b, r2, now - change));

    await staking.send(owner, 'setRewardRate', [0n]);
    const frozen = await staking.read('pendingRewards', [alice.address]);
    chain.mine(10);
    assert.equal(await staking.read('pendingRewards', [alice.address]), frozen, 'rate 0 stops accrual');
  });

  test('only the owner can set the rate', async () => {
    const { alice, staking } = await setup();
    await revertsWith(staking.send(alice, 'setRewardRate', [1n]), 'OwnableUnauthorizedAccount', [alice.address]);
  });
});
