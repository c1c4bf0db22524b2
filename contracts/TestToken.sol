// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A stand-in stablecoin for the local chain: fixed decimals, owner-free minting for test funding, and a
///         USDC-like blacklist (a blacklisted address can neither send nor receive).
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    /// @notice Addresses the issuer froze (USDC's `isBlacklisted`).
    mapping(address => bool) public isBlacklisted;

    /// @notice A transfer from or to a blacklisted address was refused.
    error Blacklisted(address account);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone may mint on the local chain; this contract is never deployed anywhere else.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Freezes `account` like USDC's `blacklist` (blacklister-only there; open here, local chain only).
    function blacklist(address account) external {
        isBlacklisted[account] = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlacklisted[from]) revert Blacklisted(from);
        if (isBlacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}
