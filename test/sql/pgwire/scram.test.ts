// SCRAM-SHA-256 on the server: RFC 7677's test vector, then full exchanges driven by
// node-postgres's own client-side SCRAM (pg/lib/crypto/sasl.js).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ProtocolViolationError } from '../../../sql/pgwire/errors.js';
import {
  makeScramVerifier,
  parseClientFirstMessage,
  parseScramVerifier,
  ScramServerExchange,
  scramNonceFromRandomBytes,
  type ScramVerifier,
} from '../../../sql/pgwire/scram.js';

interface PgSaslSession {
  response: string;
}
interface PgSasl {
  startSession(mechanisms: string[], stream?: unknown): PgSaslSession;
  continueSession(session: PgSaslSession, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: PgSaslSession, serverData: string): void;
}
const pgSasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as PgSasl;

/** Deterministic stand-ins for the random bytes the session will draw from env.random. */
function bytes(seed: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

function verifierFor(password: string, seed = 1): ScramVerifier {
  return parseScramVerifier(makeScramVerifier(password, bytes(seed, 16)))!;
}

describe('RFC 7677 test vector', () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const clientFirst = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverNonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

  it('authenticates "pencil" and signs with the expected server signature', () => {
    const verifier = parseScramVerifier(makeScramVerifier('pencil', salt, 4096))!;
    const exchange = new ScramServerExchange(verifier, serverNonce);
    expect(exchange.receiveClientFirst(Buffer.from(clientFirst))).toBe(serverFirst);
    expect(exchange.receiveClientFinal(Buffer.from(clientFinal))).toEqual({ kind: 'authenticated', serverFinalMessage: serverFinal });
  });

  it('refuses the same proof against another password', () => {
    const exchange = new ScramServerExchange(parseScramVerifier(makeScramVerifier('pencil!', salt))!, serverNonce);
    exchange.receiveClientFirst(clientFirst);
    expect(exchange.receiveClientFinal(clientFinal)).toEqual({ kind: 'failed' });
  });
});

describe('verifiers in PostgreSQL format', () => {
  it('are SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> and parse back', () => {
    const text = makeScramVerifier('secret', bytes(7, 16), 4096);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    const verifier = parseScramVerifier(text)!;
    expect(verifier.iterations).toBe(4096);
    expect(Buffer.from(verifier.salt)).toEqual(Buffer.from(bytes(7, 16)));
    expect(verifier.storedKey).toHaveLength(32);
  });

  it('anything else is not a verifier', () => {
    expect(parseScramVerifier('md5' + 'a'.repeat(32))).toBeUndefined();
    expect(parseScramVerifier('SCRAM-SHA-256$0:AAAA$AAAA:AAAA')).toBeUndefined();
    expect(parseScramVerifier('SCRAM-SHA-256$4096:AAAA$AAAA:AAAA')).toBeUndefined(); // keys too short
  });
});

describe("exchanges with node-postgres's client", () => {
  async function exchangeWithPg(storedPassword: string, clientPassword: string, seed: number): Promise<'authenticated' | 'failed'> {
    const exchange = new ScramServerExchange(verifierFor(storedPassword, seed), scramNonceFromRandomBytes(bytes(seed + 100, 18)));
    const session = pgSasl.startSession(['SCRAM-SHA-256']);
    const serverFirst = exchange.receiveClientFirst(session.response);
    await pgSasl.continueSession(session, clientPassword, serverFirst);
    const result = exchange.receiveClientFinal(session.response);
    if (result.kind === 'authenticated') pgSasl.finalizeSession(session, result.serverFinalMessage); // throws on a bad signature
    return result.kind;
  }

  const passwords = ['p', 'correct horse battery staple', 'pässwörd', 'pass\u00a0word', 'ｆｕｌｌｗｉｄｔｈ', '🐘'.repeat(20)];
  for (const [i, password] of passwords.entries()) {
    it(`authenticates ${JSON.stringify(password)} both ways (the client checks our signature too)`, async () => {
      expect(await exchangeWithPg(password, password, i)).toBe('authenticated');
    });
  }

  it('refuses a wrong password', async () => {
    expect(await exchangeWithPg('right', 'wrong', 3)).toBe('failed');
  });

  it('SASLprep makes a no-break space and a plain space the same password, as PostgreSQL does', async () => {
    expect(await exchangeWithPg('pass word', 'pass\u00a0word', 4)).toBe('authenticated');
  });
});

describe('malformed messages are protocol violations', () => {
  const malformedClientFirst = [
    'p=tls-server-end-point,,n=,r=abc', // channel binding on the non-PLUS mechanism
    'n,a=admin,n=,r=abc', // authorization identity
    'n,,m=ext,n=,r=abc', // mandatory extension
    'x,,n=,r=abc', // bad GS2 flag
    'n,,n=', // no nonce
    'n,,n=*,r=', // empty nonce
    'n,,r=abc', // no user name attribute
  ];
  for (const text of malformedClientFirst) {
    it(`client-first ${JSON.stringify(text)}`, () => {
      expect(() => parseClientFirstMessage(text)).toThrow(ProtocolViolationError);
    });
  }

  function afterClientFirst(): ScramServerExchange {
    const exchange = new ScramServerExchange(verifierFor('pw'), 'servernonce');
    exchange.receiveClientFirst('n,,n=*,r=clientnonce');
    return exchange;
  }
  const proof = Buffer.alloc(32).toString('base64');
  const malformedClientFinal = [
    `c=eSws,r=clientnonceservernonce,p=${proof}`, // binding flag differs from client-first's 'n'
    `c=biws,r=clientnonceOTHER,p=${proof}`, // nonce does not match
    'c=biws,r=clientnonceservernonce', // no proof
    'c=biws,r=clientnonceservernonce,p=AAAA', // proof of the wrong length
    `r=clientnonceservernonce,c=biws,p=${proof}`, // attributes out of order
  ];
  for (const text of malformedClientFinal) {
    it(`client-final ${JSON.stringify(text)}`, () => {
      expect(() => afterClientFirst().receiveClientFinal(text)).toThrow(ProtocolViolationError);
    });
  }

  it('a well-formed final message with a zero proof just fails', () => {
    expect(afterClientFirst().receiveClientFinal(`c=biws,r=clientnonceservernonce,p=${proof}`)).toEqual({ kind: 'failed' });
  });
});
