import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compile, ROOT } from './helpers/compile.mjs';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('solc-js compiles all contracts with zero errors and zero warnings', () => {
  const { diagnostics, contracts, solcVersion } = compile();
  assert.deepEqual(diagnostics.map((d) => d.formattedMessage), [], 'solc printed diagnostics');
  for (const name of ['StakingRewards', 'MockERC20', 'ReentrantToken']) {
    assert.ok(contracts[name]?.bytecode.length > 2, `${name} has bytecode`);
  }
  assert.ok(solcVersion.startsWith(pkg.dependencies.solc + '+'), `solc ${solcVersion} is the pinned ${pkg.dependencies.solc}`);
});

test('the compile check is not vacuous: a warning is reported', () => {
  const src = readFileSync(join(ROOT, 'contracts/StakingRewards.sol'), 'utf8');
  const noisy = src.replace('function rewardPerToken() public view', 'function rewardPerToken() public view returns (uint256) { uint256 unused; return rewardPerTokenStored; }\n    function rewardPerToken_() public view');
  const { diagnostics } = compile({ overrides: { 'contracts/StakingRewards.sol': noisy } });
  assert.ok(noisy !== src, 'mutation applied');
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(diagnostics.some((d) => d.severity === 'warning'), 'an unused local variable must produce a warning');
});

test('the snippet uses OpenZeppelin 5 paths only and stays short', () => {
  const src = readFileSync(join(ROOT, 'contracts/StakingRewards.sol'), 'utf8');
  assert.match(pkg.dependencies['@openzeppelin/contracts'], /^5\.\d+\.\d+$/);
  assert.ok(src.includes('@openzeppelin/contracts/utils/ReentrancyGuard.sol'));
  assert.ok(!src.includes('security/ReentrancyGuard'), 'OZ4 path must not appear');
  const lines = src.trimEnd().split('\n').length;
  assert.ok(lines >= 60 && lines <= 110, `snippet is ${lines} lines`);
});
