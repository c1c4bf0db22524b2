// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A stand-in stablecoin for the local chain: fixed decimals, owner-free minting for test funding, and
///         USDC's blacklist: `blacklist`/`unBlacklist` by the blacklister (the deployer), `isBlacklisted`, and the
///         events `Blacklisted(address indexed)`/`UnBlacklisted(address indexed)` as USDC emits them (a blacklisted
///         address can neither send nor receive).
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    /// @notice Addresses the issuer froze (USDC's `isBlacklisted`).
    mapping(address => bool) public isBlacklisted;
    /// @notice USDC's blacklister: the only account that may change the blacklist.
    address public blacklister;

    event Blacklisted(address indexed _account);
    event UnBlacklisted(address indexed _account);

    /// @notice A transfer from or to a blacklisted address was refused.
    error AccountBlacklisted(address account);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
        blacklister = msg.sender;
    }

    modifier onlyBlacklister() {
        require(msg.sender == blacklister, "Blacklistable: caller is not the blacklister");
        _;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone may mint on the local chain; this contract is never deployed anywhere else.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Freezes `account` like USDC's `blacklist`.
    function blacklist(address account) external onlyBlacklister {
        isBlacklisted[account] = true;
        emit Blacklisted(account);
    }

    /// @notice Unfreezes `account` like USDC's `unBlacklist`.
    function unBlacklist(address account) external onlyBlacklister {
        isBlacklisted[account] = false;
        emit UnBlacklisted(account);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlacklisted[from]) revert AccountBlacklisted(from);
        if (isBlacklisted[to]) revert AccountBlacklisted(to);
        super._update(from, to, value);
    }
}
