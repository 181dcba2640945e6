/**
 * The browser's half of passkeys: ask the portal for a challenge, hand it to the device
 * (navigator.credentials), and put the device's answer into the form's hidden fields as
 * base64url, for the form to be sent as usual. The portal checks everything; nothing here
 * is trusted.
 */

const toBytes = (base64url: string): Uint8Array<ArrayBuffer> => {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

const toBase64url = (buffer: ArrayBuffer | null): string =>
  buffer ? btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : '';

export const passkeysSupported = () => typeof window.PublicKeyCredential === 'function' && Boolean(navigator.credentials);

/** A message from the portal, or the device's refusal, as a sentence for the page. */
export class PasskeyError extends Error {}

async function challenge(path: string): Promise<any> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', credentials: 'same-origin' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new PasskeyError(body.error ?? 'The portal could not start this. Try again.');
  return body;
}

function setField(form: HTMLFormElement, name: string, value: string): void {
  const input = form.elements.namedItem(name);
  if (input instanceof HTMLInputElement) input.value = value;
}

/** Signing in: the device offers the member's passkeys for this site. */
export async function answerSignInChallenge(form: HTMLFormElement): Promise<void> {
  const options = await challenge('/login/passkey-options.json');
  const credential = (await navigator.credentials.get({
    publicKey: { challenge: toBytes(options.challenge), rpId: options.rpId, userVerification: options.userVerification, timeout: options.timeout },
  })) as PublicKeyCredential | null;
  if (!credential) throw new PasskeyError('No passkey was chosen.');
  const response = credential.response as AuthenticatorAssertionResponse;
  setField(form, 'credentialId', toBase64url(credential.rawId));
  setField(form, 'clientDataJSON', toBase64url(response.clientDataJSON));
  setField(form, 'authenticatorData', toBase64url(response.authenticatorData));
  setField(form, 'signature', toBase64url(response.signature));
  setField(form, 'userHandle', toBase64url(response.userHandle));
}

/** Adding: the device makes a new passkey for this member. */
export async function answerRegistrationChallenge(form: HTMLFormElement): Promise<void> {
  const options = await challenge('/account/passkey-options.json');
  const credential = (await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: toBytes(options.challenge),
      user: { ...options.user, id: toBytes(options.user.id) },
      excludeCredentials: options.excludeCredentials.map((c: { type: 'public-key'; id: string }) => ({ type: c.type, id: toBytes(c.id) })),
    },
  })) as PublicKeyCredential | null;
  if (!credential) throw new PasskeyError('No passkey was made.');
  const response = credential.response as AuthenticatorAttestationResponse;
  setField(form, 'clientDataJSON', toBase64url(response.clientDataJSON));
  setField(form, 'attestationObject', toBase64url(response.attestationObject));
}

/** What to tell the member when it did not work. */
export function describeFailure(error: unknown, fallback: string): string {
  if (error instanceof PasskeyError) return error.message;
  if (error instanceof DOMException && error.name === 'InvalidStateError') return 'This device already holds a passkey for your account. Use another device, or remove the old passkey first.';
  return fallback;
}
