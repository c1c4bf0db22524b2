// Hardhat 2 configuration for the in-process local chain (infra/local/chain.ts). Nothing is compiled by Hardhat:
// contracts are compiled with solc-js, since `hardhat compile` downloads a compiler and this machine is offline.
module.exports = {
  solidity: '0.8.28',
  networks: {
    hardhat: {
      chainId: 31337,
      // A block every second as well as one per transaction, so finality depths are reached by themselves.
      mining: { auto: true, interval: Number(process.env.STABLEFEE_BLOCK_INTERVAL_MS ?? 1000) },
      // #0 deploys, #1..#9 pay, #19 is the deposit factory's custody (infra/local/chain.ts).
      accounts: { count: 20 },
      loggingEnabled: false,
    },
  },
};
