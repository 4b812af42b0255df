// A malicious ERC-20 (contracts/test/ReentrantToken.sol) that is also the attacker: when the staking
// contract sends it tokens, it re-enters the staking contract (withdraw / claim) from inside transfer().
// Each scenario returns what happened; `assertSafe` checks it. The mutation tests at the bottom run the
// same scenarios against deliberately broken copies of StakingRewards.sol, proving the checks can fail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Interface } from 'ethers';
import { Chain } from './helpers/chain.mjs';
import { ROOT, compileStrict } from './helpers/compile.mjs';
import { E18, accrued, artifacts } from './helpers/fixture.mjs';

const GUARD_ERROR = new Interface(['error ReentrancyGuardReentrantCall()']).getError('ReentrancyGuardReentrantCall').selector;

/**
 * staking token = reward token = ReentrantToken (RT). Alice (an EOA) stakes 1000 RT; the RT contract
 * itself stakes 100 RT, then calls `outer` while armed to re-enter with `inner`.
 */
async function attack({ outer, inner, art = artifacts(), blocksBefore = 10 }) {
  const chain = await Chain.create();
  const [owner, alice] = Chain.accounts(2);
  const rt = await chain.deploy(owner, art.ReentrantToken);
  const rate = E18 / 100n;
  const staking = await chain.deploy(owner, art.StakingRewards, [rt.address, rt.address, rate, owner.address]);
  const call = (fn, args = []) => staking.iface.encodeFunctionData(fn, args);

  const aliceStake = 1000n * E18, evilStake = 100n * E18, fund = 50n * E18;
  await rt.send(owner, 'mint', [staking.address, fund]); // reward pool (mint: no transfer hook from staking)
  await rt.send(alice, 'mint', [alice.address, aliceStake]);
  await rt.send(alice, 'approve', [staking.address, aliceStake]);
  await staking.send(alice, 'stake', [aliceStake]);

  await rt.send(owner, 'mint', [rt.address, evilStake]);
  await rt.send(owner, 'approveFromSelf', [staking.address, evilStake]);
  const evilStart = (await rt.send(owner, 'execute', [staking.address, call('stake', [evilStake])])).blockNumber;
  chain.mine(blocksBefore);

  await rt.send(owner, 'arm', [staking.address, call(...inner)]);
  const { blockNumber: attackBlock } = await rt.send(owner, 'execute', [staking.address, call(...outer)]);

  const obs = {
    attempted: await rt.read('attempted'),
    reentrySucceeded: await rt.read('reentrySucceeded'),
    reentryResult: await rt.read('reentryResult'),
    attackerBalance: await rt.read('balanceOf', [rt.address]),
    attackerStaked: await staking.read('stakedOf', [rt.address]),
    contractBalance: await rt.read('balanceOf', [staking.address]),
    totalStaked: await staking.read('totalStaked'),
    expectedReward: accrued(evilStake, rate, attackBlock - evilStart),
    evilStake, aliceStake, fund,
  };
  // Alice must still be able to take out her full principal afterwards.
  try {
    await staking.send(alice, 'withdraw', [aliceStake]);
    obs.aliceWithdrew = (await rt.read('balanceOf', [alice.address])) === aliceStake;
  } catch (err) {
    obs.aliceWithdrew = false;
    obs.aliceError = err.message;
  }
  return obs;
}

function assertSafe(o, { attackerGets, attackerStakeLeft }) {
  assert.equal(o.attempted, true, 'the callback ran');
  assert.equal(o.reentrySucceeded, false, 're-entrant call must revert');
  assert.equal(o.reentryResult, GUARD_ERROR, 're-entrant call must be stopped by nonReentrant (ReentrancyGuardReentrantCall)');
  assert.equal(o.attackerBalance, attackerGets, 'attacker received exactly what it was owed, once');
  assert.equal(o.attackerStaked, attackerStakeLeft);
  assert.equal(o.totalStaked, o.aliceStake + attackerStakeLeft, 'totalStaked matches the stakes');
  assert.equal(o.contractBalance, o.aliceStake + attackerStakeLeft + o.fund - (attackerGets - (o.evilStake - attackerStakeLeft)),
    'contract holds all remaining principal plus the unpaid reward pool');
  assert.equal(o.aliceWithdrew, true, `honest staker can withdraw her full principal ${o.aliceError ?? ''}`);
}

const scenarios = {
  'withdraw re-entering withdraw': {
    outer: ['withdraw', [100n * E18]], inner: ['withdraw', [100n * E18]],
    expect: (o) => ({ attackerGets: o.evilStake, attackerStakeLeft: 0n }),
  },
  'claim re-entering claim': {
    outer: ['claim'], inner: ['claim'],
    expect: (o) => ({ attackerGets: o.expectedReward, attackerStakeLeft: o.evilStake }),
  },
  'withdraw re-entering claim (cross-function)': {
    outer: ['withdraw', [100n * E18]], inner: ['claim'],
    expect: (o) => ({ attackerGets: o.evilStake, attackerStakeLeft: 0n }),
  },
};

describe('reentrant token cannot drain the staking contract', () => {
  for (const [name, s] of Object.entries(scenarios)) {
    test(name, async () => {
      const o = await attack(s);
      assertSafe(o, s.expect(o));
    });
  }
});

describe('mutation checks: the assertions above catch a broken contract', () => {
  const path = 'contracts/StakingRewards.sol';
  const src = readFileSync(join(ROOT, path), 'utf8');
  const mutate = (from, to, text = src) => {
    assert.ok(text.includes(from), `mutation anchor not found: ${from}`);
    return text.split(from).join(to);
  };
  const withOverride = (text) => ({ ...artifacts(), ...compileStrict({ overrides: { [path]: text } }) });

  const noGuard = mutate(' nonReentrant', '');
  const cei = [
    '        stakedOf[msg.sender] = staked - amount;\n        totalStaked -= amount;\n        emit Withdrawn(msg.sender, amount);\n        stakingToken.safeTransfer(msg.sender, amount);\n',
    '        stakingToken.safeTransfer(msg.sender, amount);\n        stakedOf[msg.sender] = staked - amount;\n        totalStaked -= amount;\n        emit Withdrawn(msg.sender, amount);\n',
  ];

  test('without nonReentrant, every scenario fails assertSafe', async () => {
    const art = withOverride(noGuard);
    for (const [name, s] of Object.entries(scenarios)) {
      const o = await attack({ ...s, art });
      assert.throws(() => assertSafe(o, s.expect(o)), assert.AssertionError, `${name} should be flagged`);
      assert.notEqual(o.reentryResult, GUARD_ERROR);
    }
  });

  test('without nonReentrant and with interaction-before-effects, the attacker really drains funds and is caught', async () => {
    const art = withOverride(mutate(cei[0], cei[1], noGuard));
    const s = scenarios['withdraw re-entering withdraw'];
    const o = await attack({ ...s, art });
    assert.equal(o.reentrySucceeded, true, 'the re-entrant withdraw went through');
    assert.equal(o.attackerBalance, 2n * o.evilStake, 'attacker got its stake twice');
    assert.equal(o.aliceWithdrew, false, 'alice can no longer withdraw her principal');
    assert.throws(() => assertSafe(o, s.expect(o)), assert.AssertionError);
  });
});
