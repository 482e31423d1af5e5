/**
 * The encoding of a `ConfChange` in a `confChange` log entry's data. Versioned and compact:
 *
 *     byte 0      version (1)
 *     byte 1      transition: 0 simple, 1 auto, 2 explicit
 *     bytes 2-3   number of changes n (uint16, big-endian)
 *     n × 5 bytes change type (0 addNode, 1 addLearner, 2 removeNode), node id (uint32, big-endian)
 *
 * Node ids are replica ids, which fit in 32 bits. An empty data array decodes as the empty
 * (leave-joint) change, so a zero-length confChange entry is always valid.
 */
import { InvalidConfChangeError } from './errors.js';
import type { ConfChange, ConfChangeSingle, ConfChangeType } from './types.js';

const version = 1;
const transitions = ['simple', 'auto', 'explicit'] as const;
const types: readonly ConfChangeType[] = ['addNode', 'addLearner', 'removeNode'];
const changesMax = 0xffff;
const nodeIdMax = 0xffffffff;

/** Encodes `cc`; throws `InvalidConfChangeError` for an id out of range or too many changes. */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  if (cc.changes.length > changesMax) throw new InvalidConfChangeError(`conf change has ${cc.changes.length} changes, more than ${changesMax}`);
  const out = new Uint8Array(4 + 5 * cc.changes.length);
  const view = new DataView(out.buffer);
  const transitionCode = transitions.indexOf(cc.transition);
  if (transitionCode < 0) throw new InvalidConfChangeError(`unknown conf change transition ${String(cc.transition)}`);
  out[0] = version;
  out[1] = transitionCode;
  view.setUint16(2, cc.changes.length);
  cc.changes.forEach((change, i) => {
    const id = change.nodeId;
    if (!Number.isSafeInteger(id) || id <= 0 || id > nodeIdMax) throw new InvalidConfChangeError(`conf change node id ${id} out of range`);
    const typeCode = types.indexOf(change.type);
    if (typeCode < 0) throw new InvalidConfChangeError(`unknown conf change type ${String(change.type)}`);
    out[4 + 5 * i] = typeCode;
    view.setUint32(5 + 5 * i, id);
  });
  return out;
}

/** Decodes a conf change entry's data; throws `InvalidConfChangeError` if it is malformed. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.length === 0) return { changes: [], transition: 'simple' };
  if (data.length < 4) throw new InvalidConfChangeError(`conf change encoding too short (${data.length} bytes)`);
  if (data[0] !== version) throw new InvalidConfChangeError(`unknown conf change encoding version ${data[0]}`);
  const transition = transitions[data[1]!];
  if (transition === undefined) throw new InvalidConfChangeError(`unknown conf change transition ${data[1]}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint16(2);
  if (data.length !== 4 + 5 * count) throw new InvalidConfChangeError(`conf change encoding of ${count} changes has ${data.length} bytes`);
  const changes: ConfChangeSingle[] = [];
  for (let i = 0; i < count; i++) {
    const type = types[data[4 + 5 * i]!];
    if (type === undefined) throw new InvalidConfChangeError(`unknown conf change type code ${data[4 + 5 * i]}`);
    const nodeId = view.getUint32(5 + 5 * i);
    if (nodeId === 0) throw new InvalidConfChangeError('conf change node id 0');
    changes.push({ type, nodeId });
  }
  return { changes, transition };
}
