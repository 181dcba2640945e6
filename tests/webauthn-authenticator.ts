/**
 * A software authenticator for tests: real key pairs from node:crypto (P-256 or RSA
 * 2048), real CBOR, real signatures, so the portal's verifier is tested with the bytes a
 * device would send, and with the ones a cloned device, a phishing site or a tampered
 * browser would send. Nothing of the verifier is mocked.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ─── a little CBOR (RFC 8949): what attestation objects and COSE keys need ───────
type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

// ─────────────────────────────────────────────────────────────────────────────

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

export const FLAGS = { UP: 0x01, UV: 0x04, AT: 0x40 } as const;

export interface ClientDataOverrides {
  type?: string;
  origin?: string;
  crossOrigin?: boolean;
  challenge?: string;
}

export interface SignOverrides extends ClientDataOverrides {
  /** The rp id whose hash goes in the authenticator data. */
  rpId?: string;
  flags?: number;
  /** The counter to report (default: one more than the last). */
  counter?: number;
  /** Sign with another key (a forged answer). */
  signWith?: KeyObject;
}

export class TestAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  counter: number;

  constructor(
    readonly algorithm: 'ES256' | 'RS256' = 'ES256',
    readonly rp = { id: 'localhost', origin: 'http://localhost:4321' },
    /** Devices that keep no counter always send 0. */
    startCounter = 1,
  ) {
    const pair = algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.counter = startCounter;
  }

  /** The public key as a COSE_Key (RFC 9053). */
  coseKey(): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' });
    const bytes = (s: string) => Buffer.from(s, 'base64url');
    return this.algorithm === 'ES256'
      ? cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, bytes(jwk.x!)], [-3, bytes(jwk.y!)]]))
      : cbor(new Map<Cbor, Cbor>([[1, 3], [3, -257], [-1, bytes(jwk.n!)], [-2, bytes(jwk.e!)]]));
  }

  clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, o: ClientDataOverrides = {}): Buffer {
    return Buffer.from(JSON.stringify({ type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.rp.origin, crossOrigin: o.crossOrigin ?? false }));
  }

  authenticatorData(o: { rpId?: string; flags: number; counter: number; attested?: boolean }): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(o.counter);
    const parts: Uint8Array[] = [sha256(o.rpId ?? this.rp.id), Buffer.from([o.flags | (o.attested ? FLAGS.AT : 0)]), counter];
    if (o.attested) {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), length, this.credentialId, this.coseKey());
    }
    return Buffer.concat(parts);
  }

  /** What navigator.credentials.create() gives back: attestation "none". */
  register(challenge: string, o: SignOverrides = {}) {
    const clientDataJSON = this.clientData('webauthn.create', challenge, o);
    const authData = this.authenticatorData({ rpId: o.rpId, flags: o.flags ?? FLAGS.UP | FLAGS.UV, counter: o.counter ?? this.counter, attested: true });
    const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return { clientDataJSON, attestationObject };
  }

  /** What navigator.credentials.get() gives back, signed over authenticatorData ‖ SHA-256(clientDataJSON). */
  assert(challenge: string, userHandle: Uint8Array | null, o: SignOverrides = {}) {
    const counter = o.counter ?? ++this.counter;
    const clientDataJSON = this.clientData('webauthn.get', challenge, o);
    const authenticatorData = this.authenticatorData({ rpId: o.rpId, flags: o.flags ?? FLAGS.UP | FLAGS.UV, counter });
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), o.signWith ?? this.privateKey);
    return { credentialId: this.credentialId, clientDataJSON, authenticatorData, signature, userHandle };
  }

  /** The same answer as base64url form fields, as the page's script sends it. */
  static asForm(answer: Record<string, Uint8Array | null>): Record<string, string> {
    return Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, v ? b64url(v) : '']));
  }
}
