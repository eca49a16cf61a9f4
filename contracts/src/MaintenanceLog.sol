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
contract MaintenanceLog is AccessControl {
    struct Batch {
        bytes32 root;
        bytes32 batchId;
        uint64 count;
        uint64 anchoredAt;
        address anchoredBy;
    }

    Batch[] private _batches;
    /// batchId → index + 1 (0 = unknown), so the same off-chain batch cannot be anchored twice.
    mapping(bytes32 => uint256) private _indexPlusOne;
    /// batch index → auditor → attested.
    mapping(uint256 => mapping(address => bool)) public attested;

    event BatchAnchored(uint256 indexed index, bytes32 indexed batchId, bytes32 root, uint256 count);
    event BatchAttested(uint256 indexed index, address indexed auditor);

    error EmptyBatch();
    error DuplicateBatch(bytes32 batchId);
    error NoSuchBatch(uint256 index);
    error UnknownBatch(bytes32 batchId);

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function anchor(bytes32 root, uint256 count, bytes32 batchId) external onlyRole(Roles.OPERATOR) returns (uint256 index) {
        if (count == 0 || root == bytes32(0)) revert EmptyBatch();
        if (_indexPlusOne[batchId] != 0) revert DuplicateBatch(batchId);
        index = _batches.length;
        _batches.push(Batch(root, batchId, uint64(count), uint64(block.timestamp), msg.sender));
        _indexPlusOne[batchId] = index + 1;
        emit BatchAnchored(index, batchId, root, count);
    }

    /// @notice An auditor states that they checked the batch's events against the root.
    function attest(uint256 index) external onlyRole(Roles.AUDITOR) {
        if (index >= _batches.length) revert NoSuchBatch(index);
        attested[index][msg.sender] = true;
        emit BatchAttested(index, msg.sender);
    }

    function verify(uint256 index, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        if (index >= _batches.length) revert NoSuchBatch(index);
        return MerkleProof.verifyCalldata(proof, _batches[index].root, leaf);
    }

    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    function batch(uint256 index) external view returns (Batch memory) {
        if (index >= _batches.length) revert NoSuchBatch(index);
        return _batches[index];
    }

    function indexOf(bytes32 batchId) external view returns (uint256) {
        uint256 i = _indexPlusOne[batchId];
        if (i == 0) revert UnknownBatch(batchId);
        return i - 1;
    }
}
