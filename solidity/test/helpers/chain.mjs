// Minimal in-process chain on @ethereumjs/vm: signed txs, explicit block numbers, eth_call-like reads.
// Every transaction is mined in its own new block (like an auto-mining dev node);
// `mine(n)` skips n empty blocks. Reads execute against the latest mined block number.
import { createBlock } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createLegacyTx } from '@ethereumjs/tx';
import { createAddressFromString, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx } from '@ethereumjs/vm';
import { Interface, Wallet, getCreateAddress } from 'ethers';

const GAS_LIMIT = 30_000_000n;

export class Chain {
  static async create() {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
    const vm = await createVM({ common });
    return new Chain(vm, common);
  }

  constructor(vm, common) {
    this.vm = vm;
    this.common = common;
    this.blockNumber = 1n; // latest mined block
    this.nonces = new Map();
    this.interfaces = []; // every deployed contract's ABI, to decode custom errors bubbling up from callees
  }

  /** Deterministic funded-not-needed accounts (balance checks are skipped). */
  static accounts(n) {
    return Array.from({ length: n }, (_, i) => new Wallet('0x' + (i + 1).toString(16).padStart(64, '0')));
  }

  block(number) {
    return createBlock(
      { header: { number, gasLimit: GAS_LIMIT, timestamp: 1_700_000_000n + number * 12n, baseFeePerGas: 7n } },
      { common: this.common },
    );
  }

  /** Advances the chain by `n` empty blocks. */
  mine(n = 1) {
    this.blockNumber += BigInt(n);
  }

  async #send(wallet, to, data) {
    const nonce = this.nonces.get(wallet.address) ?? 0n;
    const tx = createLegacyTx(
      { nonce, gasPrice: 10n, gasLimit: 10_000_000n, to, data, value: 0n },
      { common: this.common },
    ).sign(hexToBytes(wallet.privateKey));
    this.blockNumber += 1n;
    const result = await runTx(this.vm, {
      tx,
      block: this.block(this.blockNumber),
      skipBalance: true,
      skipBlockGasLimitValidation: true,
    });
    this.nonces.set(wallet.address, nonce + 1n);
    return { result, blockNumber: this.blockNumber, nonce };
  }

  /** Deploys `artifact` ({abi, bytecode}) and returns a Contract bound to this chain. */
  async deploy(wallet, artifact, args = []) {
    const iface = new Interface(artifact.abi);
    const data = artifact.bytecode + iface.encodeDeploy(args).slice(2);
    const { result, nonce } = await this.#send(wallet, undefined, data);
    if (result.execResult.exceptionError) {
      throw new Error(`deploy failed: ${result.execResult.exceptionError.error}`);
    }
    const address = getCreateAddress({ from: wallet.address, nonce });
    this.interfaces.push(iface);
    return new Contract(this, address, iface);
  }

  async sendTx(wallet, address, data) {
    return this.#send(wallet, address, data);
  }

  async call(from, address, data) {
    const res = await this.vm.evm.runCall({
      caller: createAddressFromString(from),
      to: createAddressFromString(address),
      data: hexToBytes(data),
      gasLimit: 10_000_000n,
      block: this.block(this.blockNumber),
    });
    return res.execResult;
  }
}

/** Thrown for a reverted transaction or call; `.data` is the raw revert data, `.decoded` the custom error. */
export class Reverted extends Error {
  constructor(ifaces, returnValue, why) {
    const data = '0x' + Buffer.from(returnValue).toString('hex');
    let decoded = null;
    for (const iface of ifaces) {
      try { decoded = iface.parseError(data); } catch { /* unknown selector */ }
      if (decoded) break;
    }
    super(`reverted: ${decoded ? decoded.name : why} ${data}`);
    this.data = data;
    this.decoded = decoded;
  }
}

export class Contract {
  constructor(chain, address, iface) {
    this.chain = chain;
    this.address = address;
    this.iface = iface;
  }

  /** Sends a transaction; resolves to { blockNumber, logs } or throws Reverted. */
  async send(wallet, fn, args = []) {
    const data = this.iface.encodeFunctionData(fn, args);
    const { result, blockNumber } = await this.chain.sendTx(wallet, this.address, data);
    if (result.execResult.exceptionError) {
      throw new Reverted([this.iface, ...this.chain.interfaces], result.execResult.returnValue, result.execResult.exceptionError.error);
    }
    const logs = result.receipt.logs.map(([addr, topics, logData]) => {
      try {
        return this.iface.parseLog({
          topics: topics.map((t) => '0x' + Buffer.from(t).toString('hex')),
          data: '0x' + Buffer.from(logData).toString('hex'),
        });
      } catch { return null; }
    }).filter(Boolean);
    return { blockNumber, logs };
  }

  /** Read-only call at the latest block; single return values are unwrapped. */
  async read(fn, args = [], from = '0x' + '00'.repeat(19) + '01') {
    const data = this.iface.encodeFunctionData(fn, args);
    const exec = await this.chain.call(from, this.address, data);
    if (exec.exceptionError) throw new Reverted([this.iface, ...this.chain.interfaces], exec.returnValue, exec.exceptionError.error);
    const out = this.iface.decodeFunctionResult(fn, '0x' + Buffer.from(exec.returnValue).toString('hex'));
    return out.length === 1 ? out[0] : out;
  }
}
