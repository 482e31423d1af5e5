import { afterEach, describe, expect, it } from 'vitest';
import { RangedbNode } from '../../src/node/node.js';
import { readStoreIdent } from '../../src/node/store-ident.js';
import { realEnv } from '../../src/env/real.js';
import { silentLogger } from '../../src/base/logger.js';
import { tempDir } from '../support/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('RangedbNode', () => {
  it('bootstraps a store identity once and keeps it across restarts', async () => {
    const dir = tempDir('node');
    cleanups.push(dir.remove);
    const env = realEnv({ logger: silentLogger() });
    const first = await RangedbNode.start(env, { storePath: dir.path });
    const ident = first.ident;
    expect(ident.clusterId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await first.stop();
    await first.stop(); // idempotent
    const second = await RangedbNode.start(env, { storePath: dir.path });
    expect(second.ident).toEqual(ident);
    expect(readStoreIdent(second.engine)).toEqual(ident);
    await second.stop();
  });
});
