// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Roles} from "./Roles.sol";

/// @title MaintenanceLog — append-only anchor of maintenance events, batched as Merkle roots.
/// @notice Events stay off-chain; one root per batch keeps gas flat. A leaf is built like
/// OpenZeppelin's StandardMerkleTree: keccak256(bytes.concat(keccak256(abi.encode(values...)))),
/// pairs hashed sorted, so any event is provable with MerkleProof against its batch root.
/// There is no update or delete: history can only grow.
/// @dev Gas: a batch costs one new storage slot (its root → index, count and time, packed) and
/// a counter update; who anchored it and in what order are in the `BatchAnchored` log, which
/// is where indexers and audits enumerate batches. The root is the batch's identity: roots of
/// distinct event sets differ, so a repeated root is the same batch sent twice and is refused.
contract MaintenanceLog is AccessControl {
    /// root → (index + 1) << 128 | count << 64 | anchoredAt; 0 = not anchored.
    mapping(bytes32 => uint256) private _anchors;
    uint256 public batchCount;
    /// root → auditor → attested.
    mapping(bytes32 => mapping(address => bool)) public attested;

    event BatchAnchored(uint256 indexed index, bytes32 indexed root, uint256 count, address anchoredBy);
    event BatchAttested(bytes32 indexed root, address indexed auditor);

    error EmptyBatch();
    error DuplicateBatch(bytes32 root);
    error UnknownBatch(bytes32 root);
    error CountTooLarge(uint256 count);

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function anchor(bytes32 root, uint256 count) external onlyRole(Roles.OPERATOR) returns (uint256 index) {
        if (count == 0 || root == bytes32(0)) revert EmptyBatch();
        if (count > type(uint64).max) revert CountTooLarge(count);
        if (_anchors[root] != 0) revert DuplicateBatch(root);
        index = batchCount++;
        _anchors[root] = ((index + 1) << 128) | (count << 64) | uint64(block.timestamp);
        emit BatchAnchored(index, root, count, msg.sender);
    }

    /// @notice An auditor states that they checked the batch's events against the root.
    function attest(bytes32 root) external onlyRole(Roles.AUDITOR) {
        if (_anchors[root] == 0) revert UnknownBatch(root);
        attested[root][msg.sender] = true;
        emit BatchAttested(root, msg.sender);
    }

    /// @notice True when `leaf` is in the anchored batch `root`; false for a root never anchored.
    function verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        return _anchors[root] != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    function isAnchored(bytes32 root) external view returns (bool) {
        return _anchors[root] != 0;
    }

    /// @notice Where and when a root was anchored; reverts `UnknownBatch` for a root never anchored.
    function anchorOf(bytes32 root) external view returns (uint256 index, uint256 count, uint256 anchoredAt) {
        uint256 packed = _anchors[root];
        if (packed == 0) revert UnknownBatch(root);
        return ((packed >> 128) - 1, uint64(packed >> 64), uint64(packed));
    }
}
