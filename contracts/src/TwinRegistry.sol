// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Roles} from "./Roles.sol";
import {IERC4907} from "./IERC4907.sol";
import {HGPT} from "./HGPT.sol";

/// @title TwinRegistry — one ERC-721 token per physical machine, with ERC-4907 leasing paid in HGPT.
/// @notice The token carries the machine's identity and the hash of its current digital-twin state,
/// so anyone can check an off-chain twin snapshot against the chain.
contract TwinRegistry is ERC721, AccessControl, IERC4907 {
    using SafeERC20 for IERC20;

    struct Identity {
        string manufacturer;
        string serialNumber;
        string productInstanceUri;
        bytes32 stateHash;
    }

    struct Lease {
        address user;
        uint64 expires;
    }

    HGPT public immutable hgpt;
    /// HGPT a registrant must have staked (and gets locked) per machine.
    uint256 public stakePerMachine;
    uint256 public nextTokenId = 1;

    mapping(uint256 => Identity) private _identity;
    /// keccak256(manufacturer, serialNumber) → tokenId: enforces one token per machine.
    mapping(bytes32 => uint256) public tokenOfMachine;
    /// Who staked for the token and how much, so retirement releases exactly that.
    mapping(uint256 => address) public stakerOf;
    mapping(uint256 => uint256) public stakeOf;
    mapping(uint256 => Lease) private _leases;
    /// HGPT per second the owner asks for leasing a machine; 0 = not for lease.
    mapping(uint256 => uint256) public leaseRate;

    event MachineRegistered(uint256 indexed tokenId, address indexed owner, string manufacturer, string serialNumber);
    event TwinStateUpdated(uint256 indexed tokenId, bytes32 stateHash);
    event MachineRetired(uint256 indexed tokenId);
    event LeaseRateSet(uint256 indexed tokenId, uint256 ratePerSecond);
    event Leased(uint256 indexed tokenId, address indexed user, uint64 expires, uint256 paid);
    event StakePerMachineSet(uint256 amount);

    error MachineAlreadyRegistered(uint256 tokenId);
    error NotOwnerOrApproved();
    error LeaseActive(address user, uint64 expires);
    error NotForLease();
    error BadExpiry();

    constructor(address admin, HGPT hgpt_, uint256 stakePerMachine_) ERC721("HyperFactory Machine Twin", "TWIN") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        hgpt = hgpt_;
        stakePerMachine = stakePerMachine_;
    }

    function setStakePerMachine(uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        stakePerMachine = amount;
        emit StakePerMachineSet(amount);
    }

    // ---- identity --------------------------------------------------------------------------

    /// @notice Register a machine; the caller must have `stakePerMachine` free HGPT stake, which gets locked.
    function register(
        address to,
        string calldata manufacturer,
        string calldata serialNumber,
        string calldata productInstanceUri,
        bytes32 stateHash
    ) external returns (uint256 tokenId) {
        bytes32 key = machineKey(manufacturer, serialNumber);
        if (tokenOfMachine[key] != 0) revert MachineAlreadyRegistered(tokenOfMachine[key]);
        // Reverts with HGPT.InsufficientFreeStake when the caller has not staked enough.
        hgpt.lockStake(msg.sender, stakePerMachine);
        tokenId = nextTokenId++;
        tokenOfMachine[key] = tokenId;
        stakerOf[tokenId] = msg.sender;
        stakeOf[tokenId] = stakePerMachine;
        _identity[tokenId] = Identity(manufacturer, serialNumber, productInstanceUri, stateHash);
        _safeMint(to, tokenId);
        emit MachineRegistered(tokenId, to, manufacturer, serialNumber);
        emit TwinStateUpdated(tokenId, stateHash);
    }

    /// @notice Owner retires a machine: burns the token and releases the registrant's stake.
    function retire(uint256 tokenId) external {
        if (!_isAuthorized(_ownerOf(tokenId), msg.sender, tokenId)) revert NotOwnerOrApproved();
        Identity storage id = _identity[tokenId];
        delete tokenOfMachine[machineKey(id.manufacturer, id.serialNumber)];
        delete _identity[tokenId];
        delete _leases[tokenId];
        hgpt.releaseStake(stakerOf[tokenId], stakeOf[tokenId]);
        delete stakerOf[tokenId];
        delete stakeOf[tokenId];
        _burn(tokenId);
        emit MachineRetired(tokenId);
    }

    /// @notice Operator records the hash of the machine's current twin state.
    function setTwinState(uint256 tokenId, bytes32 stateHash) external onlyRole(Roles.OPERATOR) {
        _requireOwned(tokenId);
        _identity[tokenId].stateHash = stateHash;
        emit TwinStateUpdated(tokenId, stateHash);
    }

    function identityOf(uint256 tokenId) external view returns (Identity memory) {
        _requireOwned(tokenId);
        return _identity[tokenId];
    }

    function machineKey(string memory manufacturer, string memory serialNumber) public pure returns (bytes32) {
        return keccak256(abi.encode(manufacturer, serialNumber));
    }

    // ---- ERC-4907 leasing --------------------------------------------------------------------

    /// @notice ERC-4907: owner/approved grants use for free (e.g. to their own site), but cannot cut a
    /// running lease short — a lessee who paid keeps access until expiry.
    function setUser(uint256 tokenId, address user, uint64 expires) external {
        if (!_isAuthorized(_ownerOf(tokenId), msg.sender, tokenId)) revert NotOwnerOrApproved();
        _requireNoActiveLease(tokenId);
        _setUser(tokenId, user, expires);
    }

    function setLeaseRate(uint256 tokenId, uint256 ratePerSecond) external {
        if (!_isAuthorized(_ownerOf(tokenId), msg.sender, tokenId)) revert NotOwnerOrApproved();
        leaseRate[tokenId] = ratePerSecond;
        emit LeaseRateSet(tokenId, ratePerSecond);
    }

    /// @notice Lessee pays `leaseRate * duration` HGPT to the owner and becomes the user until `expires`.
    function lease(uint256 tokenId, uint64 expires) external returns (uint256 cost) {
        uint256 rate = leaseRate[tokenId];
        if (rate == 0) revert NotForLease();
        if (expires <= block.timestamp) revert BadExpiry();
        _requireNoActiveLease(tokenId);
        cost = rate * (expires - block.timestamp);
        IERC20(address(hgpt)).safeTransferFrom(msg.sender, ownerOf(tokenId), cost);
        _setUser(tokenId, msg.sender, expires);
        emit Leased(tokenId, msg.sender, expires, cost);
    }

    /// @notice The current user; zero once the lease has expired — that is how access ends.
    function userOf(uint256 tokenId) public view returns (address) {
        Lease storage l = _leases[tokenId];
        return uint256(l.expires) >= block.timestamp ? l.user : address(0);
    }

    function userExpires(uint256 tokenId) external view returns (uint256) {
        return _leases[tokenId].expires;
    }

    /// @notice Off-chain services gate twin access on this: the owner, or the user of a live lease.
    function hasAccess(uint256 tokenId, address account) external view returns (bool) {
        address owner = _ownerOf(tokenId);
        return owner != address(0) && (account == owner || account == userOf(tokenId));
    }

    function _setUser(uint256 tokenId, address user, uint64 expires) private {
        _leases[tokenId] = Lease(user, expires);
        emit UpdateUser(tokenId, user, expires);
    }

    function _requireNoActiveLease(uint256 tokenId) private view {
        address current = userOf(tokenId);
        if (current != address(0)) revert LeaseActive(current, _leases[tokenId].expires);
    }

    /// Transfers are blocked during a lease (the owner must not escape it by moving the token);
    /// an expired lease record is cleared on transfer, as ERC-4907 recommends.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && to != address(0) && from != to) {
            _requireNoActiveLease(tokenId);
            if (_leases[tokenId].user != address(0)) {
                delete _leases[tokenId];
                emit UpdateUser(tokenId, address(0), 0);
            }
        }
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IERC4907).interfaceId || super.supportsInterface(interfaceId);
    }
}
