// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Roles} from "./Roles.sol";

/// @title MaintenanceMarket — maintenance jobs paid in HGPT from escrow.
/// @notice Operator posts a job and escrows its budget up front (so vendors know the money exists);
/// vendors bid; operator awards one bid; an operator or auditor confirms completion, which pays the
/// vendor its bid and refunds the unused budget. Each step checks the job's status, so nothing is paid twice.
contract MaintenanceMarket is AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    enum Status { None, Open, Awarded, Completed, Cancelled }

    struct Job {
        address poster;
        uint256 machineTokenId;
        bytes32 specHash;
        uint256 budget;
        Status status;
        address vendor;
        uint256 price;
    }

    IERC20 public immutable token;
    uint256 public nextJobId = 1;
    mapping(uint256 => Job) private _jobs;
    /// job → vendor → bid price (0 = no bid).
    mapping(uint256 => mapping(address => uint256)) public bidOf;

    event JobPosted(uint256 indexed jobId, uint256 indexed machineTokenId, bytes32 specHash, uint256 budget);
    event BidPlaced(uint256 indexed jobId, address indexed vendor, uint256 price);
    event JobAwarded(uint256 indexed jobId, address indexed vendor, uint256 price);
    event JobCompleted(uint256 indexed jobId, address indexed vendor, uint256 paid, address confirmedBy);
    event JobCancelled(uint256 indexed jobId);

    error WrongStatus(uint256 jobId, Status status);
    error BadPrice();
    error NoBid(address vendor);
    error NotConfirmer();

    constructor(address admin, IERC20 token_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
    }

    function postJob(uint256 machineTokenId, bytes32 specHash, uint256 budget)
        external
        onlyRole(Roles.OPERATOR)
        nonReentrant
        returns (uint256 jobId)
    {
        if (budget == 0) revert BadPrice();
        jobId = nextJobId++;
        _jobs[jobId] = Job(msg.sender, machineTokenId, specHash, budget, Status.Open, address(0), 0);
        token.safeTransferFrom(msg.sender, address(this), budget);
        emit JobPosted(jobId, machineTokenId, specHash, budget);
    }

    function bid(uint256 jobId, uint256 price) external onlyRole(Roles.VENDOR) {
        Job storage job = _requireStatus(jobId, Status.Open);
        if (price == 0 || price > job.budget) revert BadPrice();
        bidOf[jobId][msg.sender] = price;
        emit BidPlaced(jobId, msg.sender, price);
    }

    function award(uint256 jobId, address vendor) external onlyRole(Roles.OPERATOR) {
        Job storage job = _requireStatus(jobId, Status.Open);
        uint256 price = bidOf[jobId][vendor];
        if (price == 0) revert NoBid(vendor);
        // The vendor may have lost the role since bidding (e.g. delisted): do not award then.
        _checkRole(Roles.VENDOR, vendor);
        job.status = Status.Awarded;
        job.vendor = vendor;
        job.price = price;
        emit JobAwarded(jobId, vendor, price);
    }

    /// @notice Operator or auditor confirms the work was done: vendor gets its price, poster the rest.
    function confirmCompletion(uint256 jobId) external nonReentrant {
        if (!hasRole(Roles.OPERATOR, msg.sender) && !hasRole(Roles.AUDITOR, msg.sender)) revert NotConfirmer();
        Job storage job = _requireStatus(jobId, Status.Awarded);
        job.status = Status.Completed;
        uint256 refund = job.budget - job.price;
        token.safeTransfer(job.vendor, job.price);
        if (refund > 0) token.safeTransfer(job.poster, refund);
        emit JobCompleted(jobId, job.vendor, job.price, msg.sender);
    }

    /// @notice Cancel an unawarded job and refund the escrow to its poster.
    function cancel(uint256 jobId) external onlyRole(Roles.OPERATOR) nonReentrant {
        Job storage job = _requireStatus(jobId, Status.Open);
        job.status = Status.Cancelled;
        token.safeTransfer(job.poster, job.budget);
        emit JobCancelled(jobId);
    }

    function jobOf(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    function _requireStatus(uint256 jobId, Status wanted) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.status != wanted) revert WrongStatus(jobId, job.status);
    }
}
