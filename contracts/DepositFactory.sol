// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {DepositForwarder} from "./DepositForwarder.sol";

/// @title Per-invoice deposit addresses whose money can only go to custody.
/// @notice The deposit address of an invoice is CREATE2(this factory, salt = keccak256(bytes(invoiceId)), init code
///         of an EIP-1167 clone of `implementation`). It can be paid before anything is deployed there; `sweep`
///         deploys the clone when it first holds money and moves its whole balance to `custody`. Anyone may call
///         `sweep` (whoever pays the gas), and there is no owner, no setter, no function taking a destination: the
///         only place funds can go is `custody`, fixed at construction.
contract DepositFactory {
    /// @notice Where all swept money goes; fixed for the life of the factory.
    address public immutable custody;

    /// @notice The forwarder every deposit address is a clone of (created by this constructor, at nonce 1).
    address public immutable implementation;

    /// @notice A forwarder's whole balance of `token` (`amount`, > 0) reached `custody`.
    event Swept(bytes32 indexed salt, address indexed forwarder, address indexed token, uint256 amount);

    /// @notice The transfer out of a forwarder reverted (e.g. a token that blacklisted the address, or too little gas
    ///         for the inner call); the money stays where it was and the rest of the batch went on.
    event SweepFailed(bytes32 indexed salt, address indexed forwarder, address indexed token, bytes reason);

    /// @notice The constructor was given the zero address as custody.
    error ZeroCustody();

    /// @param custody_ Where all swept money goes (a custodian's or the state's custody wallet); never zero.
    constructor(address custody_) {
        if (custody_ == address(0)) revert ZeroCustody();
        custody = custody_;
        implementation = address(new DepositForwarder(custody_));
    }

    /// @notice The deposit address for `salt` (= keccak256(bytes(invoiceId))), deployed or not.
    function depositAddress(bytes32 salt) public view returns (address) {
        return Clones.predictDeterministicAddress(implementation, salt);
    }

    /// @notice For each salt: if its deposit address holds `token`, deploys the forwarder there if needed and moves
    ///         the whole balance to `custody`. An address holding none is skipped (no deployment, no event), so
    ///         sweeping again is a no-op. A transfer that reverts is reported by `SweepFailed` and does not stop the
    ///         others, so one frozen address cannot block a batch.
    function sweep(bytes32[] calldata salts, IERC20 token) external {
        address impl = implementation;
        for (uint256 i = 0; i < salts.length; ++i) {
            bytes32 salt = salts[i];
            address forwarder = Clones.predictDeterministicAddress(impl, salt);
            if (token.balanceOf(forwarder) == 0) continue;
            if (forwarder.code.length == 0) Clones.cloneDeterministic(impl, salt);
            try DepositForwarder(forwarder).sweep(token) returns (uint256 amount) {
                emit Swept(salt, forwarder, address(token), amount);
            } catch (bytes memory reason) {
                emit SweepFailed(salt, forwarder, address(token), reason);
            }
        }
    }
}
