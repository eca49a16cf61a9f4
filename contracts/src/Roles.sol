// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Role ids shared by every HyperFactory contract, so one wallet holds
/// "operator" the same way everywhere and off-chain code computes ids as keccak256("<NAME>").
/// The owner is OpenZeppelin's DEFAULT_ADMIN_ROLE (0x00): it grants and revokes the others.
library Roles {
    /// Runs the plant: updates twin state, anchors maintenance batches, posts and awards jobs, pays rewards.
    bytes32 internal constant OPERATOR = keccak256("OPERATOR_ROLE");
    /// External maintenance company: may bid on jobs.
    bytes32 internal constant VENDOR = keccak256("VENDOR_ROLE");
    /// Independent checker: attests anchored batches and confirms job completion.
    bytes32 internal constant AUDITOR = keccak256("AUDITOR_ROLE");
    /// Held only by the TwinRegistry contract so it alone can lock and release machine stakes.
    bytes32 internal constant REGISTRY = keccak256("REGISTRY_ROLE");
}
