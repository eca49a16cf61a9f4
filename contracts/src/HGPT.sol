// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Roles} from "./Roles.sol";

/// @title HGPT — the factory's utility token.
/// @notice Pays for model inference (metered per unit), rewards sites for federated-learning
/// rounds, and is staked to register machine identities (stake is locked by the TwinRegistry
/// so a registrant cannot register a machine and then walk away with the collateral).
contract HGPT is ERC20, AccessControl {
    /// Price of one inference unit, in token base units.
    uint256 public inferencePrice;
    /// Receives inference payments.
    address public treasury;

    mapping(address => uint256) public staked;
    /// Part of `staked` held as collateral for registered machines; cannot be unstaked.
    mapping(address => uint256) public locked;

    event InferencePaid(address indexed payer, uint256 units, uint256 cost);
    event InferencePriceSet(uint256 price);
    event TreasurySet(address treasury);
    event RoundRewarded(address indexed site, uint256 amount);
    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event StakeLocked(address indexed account, uint256 amount);
    event StakeReleased(address indexed account, uint256 amount);

    error ZeroAmount();
    error InsufficientFreeStake(uint256 free, uint256 wanted);

    constructor(address admin, address treasury_, uint256 inferencePrice_, uint256 initialSupply)
        ERC20("HyperFactory GPT", "HGPT")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        treasury = treasury_;
        inferencePrice = inferencePrice_;
        _mint(admin, initialSupply);
    }

    // ---- owner ----------------------------------------------------------------------------

    function mint(address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _mint(to, amount);
    }

    function setInferencePrice(uint256 price) external onlyRole(DEFAULT_ADMIN_ROLE) {
        inferencePrice = price;
        emit InferencePriceSet(price);
    }

    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    // ---- metering ---------------------------------------------------------------------------

    /// @notice Pay for `units` inference units at the current price; the event is the meter reading.
    function payInference(uint256 units) external returns (uint256 cost) {
        if (units == 0) revert ZeroAmount();
        cost = units * inferencePrice;
        _transfer(msg.sender, treasury, cost);
        emit InferencePaid(msg.sender, units, cost);
    }

    // ---- federated-learning rewards ----------------------------------------------------------

    /// @notice Reward a site that contributed an FL round. Minted, so rewards need no pre-funded pool;
    /// operator-only because the operator is who validates that the round was really contributed.
    function rewardRound(address site, uint256 amount) external onlyRole(Roles.OPERATOR) {
        if (amount == 0) revert ZeroAmount();
        _mint(site, amount);
        emit RoundRewarded(site, amount);
    }

    // ---- staking ---------------------------------------------------------------------------------

    function stake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _transfer(msg.sender, address(this), amount);
        staked[msg.sender] += amount;
        emit Staked(msg.sender, amount);
    }

    function unstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 free = freeStake(msg.sender);
        if (amount > free) revert InsufficientFreeStake(free, amount);
        staked[msg.sender] -= amount;
        _transfer(address(this), msg.sender, amount);
        emit Unstaked(msg.sender, amount);
    }

    function freeStake(address account) public view returns (uint256) {
        return staked[account] - locked[account];
    }

    /// @notice Registry hook: lock free stake as collateral for a newly registered machine.
    function lockStake(address account, uint256 amount) external onlyRole(Roles.REGISTRY) {
        uint256 free = freeStake(account);
        if (amount > free) revert InsufficientFreeStake(free, amount);
        locked[account] += amount;
        emit StakeLocked(account, amount);
    }

    /// @notice Registry hook: release collateral when a machine is retired.
    function releaseStake(address account, uint256 amount) external onlyRole(Roles.REGISTRY) {
        locked[account] -= amount;
        emit StakeReleased(account, amount);
    }
}
