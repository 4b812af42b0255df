// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title StakingRewards: stake an ERC-20, earn a reward token every block.
/// @notice Each block, a staker earns `staked * rewardRate / 1e18` reward-token units,
///         i.e. `rewardRate` is the reward (in wei) per block per whole staked token.
///         Rewards come from tokens the owner sends to this contract. If the staking and
///         reward token are the same, staked principal is never paid out as rewards.
///         Fee-on-transfer and rebasing tokens are not supported.
contract StakingRewards is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    IERC20 public immutable stakingToken;
    IERC20 public immutable rewardToken;

    uint256 public rewardRate;           // reward wei per block per 1e18 staked wei
    uint256 public rewardPerTokenStored; // sum of rewardRate over elapsed blocks
    uint256 public lastUpdateBlock;
    uint256 public totalStaked;

    mapping(address => uint256) public stakedOf;
    mapping(address => uint256) public userRewardPerTokenPaid;
    mapping(address => uint256) public rewards; // settled, unclaimed

    event Staked(address indexed user, uint256 amount);
    event Withdrawn(address indexed user, uint256 amount);
    event RewardPaid(address indexed user, uint256 reward);
    event RewardRateUpdated(uint256 oldRate, uint256 newRate);

    error ZeroAmount();
    error NothingToClaim();
    error InsufficientStake(uint256 requested, uint256 staked);
    error InsufficientRewardBalance(uint256 owed, uint256 available);

    constructor(IERC20 stakingToken_, IERC20 rewardToken_, uint256 rewardRate_, address initialOwner)
        Ownable(initialOwner)
    {
        stakingToken = stakingToken_;
        rewardToken = rewardToken_;
        rewardRate = rewardRate_;
        lastUpdateBlock = block.number;
    }

    /// @dev Settles rewards up to this block, so `user` only earns from its own (last) update on.
    modifier updateReward(address user) {
        rewardPerTokenStored = rewardPerToken();
        lastUpdateBlock = block.number;
        if (user != address(0)) {
            rewards[user] = pendingRewards(user);
            userRewardPerTokenPaid[user] = rewardPerTokenStored;
        }
        _;
    }

    function rewardPerToken() public view returns (uint256) {
        return rewardPerTokenStored + rewardRate * (block.number - lastUpdateBlock);
    }

    function pendingRewards(address user) public view returns (uint256) {
        uint256 accrued = stakedOf[user] * (rewardPerToken() - userRewardPerTokenPaid[user]) / 1e18;
        return rewards[user] + accrued;
    }

    /// @notice Reward tokens available for payouts; never includes staked principal.
    function rewardBalance() public view returns (uint256) {
        uint256 balance = rewardToken.balanceOf(address(this));
        return address(rewardToken) == address(stakingToken) ? balance - totalStaked : balance;
    }

    function stake(uint256 amount) external nonReentrant updateReward(msg.sender) {
        if (amount == 0) revert ZeroAmount();
        stakedOf[msg.sender] += amount;
        totalStaked += amount;
        emit Staked(msg.sender, amount);
        stakingToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    function withdraw(uint256 amount) external nonReentrant updateReward(msg.sender) {
        if (amount == 0) revert ZeroAmount();
        uint256 staked = stakedOf[msg.sender];
        if (amount > staked) revert InsufficientStake(amount, staked);
        stakedOf[msg.sender] = staked - amount;
        totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        stakingToken.safeTransfer(msg.sender, amount);
    }

    function claim() external nonReentrant updateReward(msg.sender) {
        uint256 reward = rewards[msg.sender];
        if (reward == 0) revert NothingToClaim();
        uint256 available = rewardBalance();
        if (reward > available) revert InsufficientRewardBalance(reward, available);
        rewards[msg.sender] = 0;
        emit RewardPaid(msg.sender, reward);
        rewardToken.safeTransfer(msg.sender, reward);
    }

    /// @notice Changes the rate from the current block on; rewards accrued so far are kept.
    function setRewardRate(uint256 newRate) external onlyOwner updateReward(address(0)) {
        emit RewardRateUpdated(rewardRate, newRate);
        rewardRate = newRate;
    }
}
