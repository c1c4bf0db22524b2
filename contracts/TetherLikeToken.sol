// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A stand-in for USDT on Ethereum, for tests only: like the real one, `transfer`, `transferFrom` and
///         `approve` return NOTHING (a caller expecting a bool, e.g. plain IERC20, fails to decode; SafeERC20 copes)
///         a blacklisted address cannot send, and the blacklist is USDT's: `addBlackList`/`removeBlackList` by the
///         owner (the deployer), `isBlackListed`, and the events `AddedBlackList(address)`/`RemovedBlackList(address)`
///         with the address NOT indexed (in the data), exactly as Tether's contract emits them. Minting is open: never
///         deployed anywhere real.
contract TetherLikeToken {
    string public constant name = "Tether-like USD";
    string public constant symbol = "USDT";
    uint8 public constant decimals = 6;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlackListed;
    /// @notice Tether's owner: the only account that may change the blacklist.
    address public owner;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event AddedBlackList(address _user);
    event RemovedBlackList(address _user);

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }

    /// @notice Tether's own getter (besides the public mapping).
    function getBlackListStatus(address maker) external view returns (bool) {
        return isBlackListed[maker];
    }

    function transfer(address to, uint256 value) external {
        _transfer(msg.sender, to, value);
    }

    function transferFrom(address from, address to, uint256 value) external {
        require(allowance[from][msg.sender] >= value, "allowance");
        allowance[from][msg.sender] -= value;
        _transfer(from, to, value);
    }

    function approve(address spender, uint256 value) external {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
    }

    function mint(address to, uint256 value) external {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    /// @notice Like USDT's `addBlackList`: the address can no longer send.
    function addBlackList(address account) external onlyOwner {
        isBlackListed[account] = true;
        emit AddedBlackList(account);
    }

    /// @notice Like USDT's `removeBlackList`: the address may send again.
    function removeBlackList(address account) external onlyOwner {
        isBlackListed[account] = false;
        emit RemovedBlackList(account);
    }

    function _transfer(address from, address to, uint256 value) private {
        require(!isBlackListed[from], "blacklisted");
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
