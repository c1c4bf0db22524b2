// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title The code behind every deposit address.
/// @notice Each deposit address is an EIP-1167 clone of the one instance of this contract that a DepositFactory
///         creates in its constructor. A forwarder can do exactly one thing: send its whole balance of a token to
///         `custody`, when its factory asks. There is no owner, no approve, no arbitrary call, no selfdestruct and no
///         way to receive the native coin, so no key and no caller can send what it holds anywhere else.
/// @dev `factory` and `custody` are immutables, so they live in this contract's code, which every clone runs by
///      DELEGATECALL: all clones share them and nothing can ever change them.
contract DepositForwarder {
    using SafeERC20 for IERC20;

    /// @notice The factory that deploys the clones; the only caller `sweep` accepts.
    address public immutable factory;

    /// @notice Where every token a forwarder holds goes.
    address public immutable custody;

    /// @notice `sweep` was called by someone other than the factory.
    error NotFactory();

    /// @param custody_ The factory's custody address (checked non-zero by the factory).
    constructor(address custody_) {
        factory = msg.sender;
        custody = custody_;
    }

    /// @notice Sends this forwarder's whole balance of `token` to `custody`.
    /// @dev Only the factory may call, so that every sweep goes through one entry point and emits one `Swept` event
    ///      (a direct call could move nothing elsewhere anyway). SafeERC20 accepts tokens whose `transfer` returns
    ///      nothing (USDT on Ethereum) and reverts on a `false`.
    /// @return amount What was moved (0 if the forwarder held none).
    function sweep(IERC20 token) external returns (uint256 amount) {
        if (msg.sender != factory) revert NotFactory();
        amount = token.balanceOf(address(this));
        if (amount != 0) token.safeTransfer(custody, amount);
    }
}
