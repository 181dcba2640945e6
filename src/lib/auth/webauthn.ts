/**
 * Checking what a browser sends back from WebAuthn (passkeys), with @oslojs/webauthn to
 * read the bytes and @oslojs/crypto to check signatures. Pure functions: no database, so
 * every rule can be tested with payloads signed in the test. What is checked, in the
 * order of the WebAuthn Level 2 recommendation (§7.1 registering, §7.2 signing in):
 *
 * - the client data: its type (`webauthn.create` / `webauthn.get`), the origin (exactly
 *   SITE_URL's origin, never a frame of another site), and the challenge, which the
 *   caller looks up and uses up (./passkeys.ts);
 * - the authenticator data: the hash of the relying party id (SITE_URL's host name), the
 *   user-present and user-verified flags (a passkey is both factors, so verification is
 *   required: PIN, fingerprint or face on the device);
 * - registering: a new credential and its public key, ES256 (P-256) or RS256 only; the
 *   attestation statement is not trusted or kept (we ask for "none": the portal does not
 *   choose members' devices by maker);
 * - signing in: the signature over authenticator data ‖ SHA-256(client data) with the
 *   stored key, and the signature counter, which must go up when the device keeps one
 *   (a counter that does not is a cloned or replayed authenticator).
 */
import { decodePKIXECDSASignature, decodeSEC1PublicKey, ECDSAPublicKey, p256, verifyECDSASignature } from '@oslojs/crypto/ecdsa';
import { decodePKCS1RSAPublicKey, RSAPublicKey, sha256ObjectIdentifier, verifyRSASSAPKCS1v15Signature } from '@oslojs/crypto/rsa';
import { sha256 } from '@oslojs/crypto/sha2';
import {
  ClientDataType,
  coseAlgorithmES256,
  coseAlgorithmRS256,
  coseEllipticCurveP256,
  COSEKeyType,
  createAssertionSignatureMessage,
  parseAttestationObject,
  parseAuthenticatorData,
  parseClientDataJSON,
  type ClientData,
  type COSEPublicKey,
} from '@oslojs/webauthn';

/** Who the credentials are for: the portal's host name (rp id) and its origin, from SITE_URL. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export function relyingPartyOf(siteUrl: string): RelyingParty {
  const url = new URL(siteUrl);
  return { id: url.hostname, origin: url.origin, name: 'National Modern Slavery Network' };
}

/** The algorithms accepted, as COSE numbers; the browser is offered them in this order. */
export const SUPPORTED_ALGORITHMS = [coseAlgorithmES256, coseAlgorithmRS256] as const;
export type PasskeyAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Why a response was refused: recorded in the audit log, never shown as is. */
export type WebAuthnProblem =
  | 'malformed'
  | 'type'
  | 'origin'
  | 'challenge'
  | 'rp-id'
  | 'user-presence'
  | 'user-verification'
  | 'no-credential'
  | 'algorithm'
  | 'unknown-credential'
  | 'signature'
  | 'counter';

export type Checked<T extends object = object> = ({ ok: true } & T) | { ok: false; problem: WebAuthnProblem };
const fail = (problem: WebAuthnProblem) => ({ ok: false, problem }) as const;

/**
 * Reads the client data and checks its type and origin. The challenge it carries is
 * returned for the caller to look up and use up; nothing here knows which were issued.
 */
export function readClientData(encoded: Uint8Array, type: 'create' | 'get', rp: RelyingParty): Checked<{ challenge: Uint8Array }> {
  let data: ClientData;
  try {
    data = parseClientDataJSON(encoded);
  } catch {
    return fail('malformed');
  }
  if (data.type !== (type === 'create' ? ClientDataType.Create : ClientDataType.Get)) return fail('type');
  // Exactly our origin, and not from inside another site's frame (the portal refuses framing anyway).
  if (data.origin !== rp.origin || data.crossOrigin === true) return fail('origin');
  return { ok: true, challenge: data.challenge };
}

/** The flags every response must carry: the member was there, and proved it to the device. */
function checkFlags(data: { userPresent: boolean; userVerified: boolean }): WebAuthnProblem | null {
  if (!data.userPresent) return 'user-presence';
  if (!data.userVerified) return 'user-verification';
  return null;
}

export interface NewCredential {
  id: Uint8Array;
  algorithm: PasskeyAlgorithm;
  /** ES256: the SEC1 uncompressed point; RS256: the PKCS#1 key. */
  publicKey: Uint8Array;
  signCount: number;
}

/** Longest credential id WebAuthn allows. */
export const CREDENTIAL_ID_MAX_BYTES = 1023;

/**
 * The authenticator part of a registration (the client data was read by readClientData
 * and its challenge used up): the rp id hash, the flags, and a credential whose key we
 * can use.
 */
export function verifyAttestation(attestationObject: Uint8Array, rp: RelyingParty): Checked<{ credential: NewCredential }> {
  let authenticatorData;
  try {
    ({ authenticatorData } = parseAttestationObject(attestationObject));
  } catch {
    return fail('malformed');
  }
  if (!authenticatorData.verifyRelyingPartyIdHash(rp.id)) return fail('rp-id');
  const flags = checkFlags(authenticatorData);
  if (flags) return fail(flags);
  const credential = authenticatorData.credential;
  if (!credential || credential.id.byteLength === 0 || credential.id.byteLength > CREDENTIAL_ID_MAX_BYTES) return fail('no-credential');
  const publicKey = encodePublicKey(credential.publicKey);
  if (!publicKey) return fail('algorithm');
  return { ok: true, credential: { id: credential.id, algorithm: publicKey.algorithm, publicKey: publicKey.bytes, signCount: authenticatorData.signatureCounter } };
}

/** The COSE key in the form we store, if it is one we accept. */
function encodePublicKey(key: COSEPublicKey): { algorithm: PasskeyAlgorithm; bytes: Uint8Array } | null {
  try {
    const algorithm = keyAlgorithm(key);
    if (algorithm === coseAlgorithmES256) {
      const { curve, x, y } = key.ec2();
      if (curve !== coseEllipticCurveP256) return null;
      const point = new ECDSAPublicKey(p256, x, y);
      // Refuses a point that is not on the curve.
      if (!p256.isOnCurve(point)) return null;
      return { algorithm, bytes: sec1Uncompressed(x, y) };
    }
    if (algorithm === coseAlgorithmRS256) {
      const { n, e } = key.rsa();
      // 2048 bits at least (NIST SP 800-131A).
      if (n.toString(2).length < 2048) return null;
      return { algorithm, bytes: new RSAPublicKey(n, e).encodePKCS1() };
    }
  } catch {
    // A key that claims a type it does not have.
  }
  return null;
}

/**
 * 0x04 ‖ x ‖ y, each 32 bytes. Not ECDSAPublicKey.encodeSEC1Uncompressed(): in
 * @oslojs/crypto 1.0 it does not pad y, so a key whose y starts with a zero byte (1 in
 * 256) was stored wrong and its every signature refused (found by the e2e suite).
 */
function sec1Uncompressed(x: bigint, y: bigint): Uint8Array {
  const bytes = new Uint8Array(65);
  bytes[0] = 0x04;
  const hex = (n: bigint) => n.toString(16).padStart(64, '0');
  bytes.set(Buffer.from(hex(x) + hex(y), 'hex'), 1);
  return bytes;
}

function keyAlgorithm(key: COSEPublicKey): PasskeyAlgorithm | null {
  if (!key.isAlgorithmDefined()) return null;
  const algorithm = key.algorithm();
  if (algorithm === coseAlgorithmES256 && key.type() === COSEKeyType.EC2) return algorithm;
  if (algorithm === coseAlgorithmRS256 && key.type() === COSEKeyType.RSA) return algorithm;
  return null;
}

export interface StoredCredential {
  algorithm: number;
  publicKey: Uint8Array;
  signCount: number;
}

export interface Assertion {
  clientDataJSON: Uint8Array;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
}

/**
 * The authenticator part of a sign-in (the client data was read by readClientData and its
 * challenge used up): rp id hash, flags, the signature with the stored key, then the
 * counter. Returns the new counter to store.
 */
export function verifyAssertion(assertion: Assertion, stored: StoredCredential, rp: RelyingParty): Checked<{ signCount: number }> {
  let data;
  try {
    data = parseAuthenticatorData(assertion.authenticatorData);
  } catch {
    return fail('malformed');
  }
  if (!data.verifyRelyingPartyIdHash(rp.id)) return fail('rp-id');
  const flags = checkFlags(data);
  if (flags) return fail(flags);
  const hash = sha256(createAssertionSignatureMessage(assertion.authenticatorData, assertion.clientDataJSON));
  if (!signatureValid(stored, hash, assertion.signature)) return fail('signature');
  // A device that keeps a counter must show a higher one each time; one that keeps none sends 0 always.
  if ((stored.signCount !== 0 || data.signatureCounter !== 0) && data.signatureCounter <= stored.signCount) return fail('counter');
  return { ok: true, signCount: data.signatureCounter };
}

function signatureValid(stored: StoredCredential, hash: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (stored.algorithm === coseAlgorithmES256) {
      return verifyECDSASignature(decodeSEC1PublicKey(p256, stored.publicKey), hash, decodePKIXECDSASignature(signature));
    }
    if (stored.algorithm === coseAlgorithmRS256) {
      return verifyRSASSAPKCS1v15Signature(decodePKCS1RSAPublicKey(stored.publicKey), sha256ObjectIdentifier, hash, signature);
    }
  } catch {
    // A signature that is not even DER, or a key that does not decode.
  }
  return false;
}
