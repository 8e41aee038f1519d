import { existsSync } from 'node:fs';
import { arch } from 'node:os';

/**
 * Where Debian / Raspberry Pi OS put SoftHSM2's PKCS#11 module. The softhsm2 package installs
 * /usr/lib/softhsm/libsofthsm2.so (a symlink); the multiarch directory holds the real file.
 */
const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

export function softHsmModuleCandidates(): string[] {
  const triplet = MULTIARCH[arch()];
  return [
    '/usr/lib/softhsm/libsofthsm2.so',
    ...(triplet ? [`/usr/lib/${triplet}/softhsm/libsofthsm2.so`] : []),
    '/usr/local/lib/softhsm/libsofthsm2.so',
  ];
}

export function findSoftHsmModule(): string | null {
  return softHsmModuleCandidates().find((p) => existsSync(p)) ?? null;
}

/** p11-kit's client module (Debian package p11-kit-modules), used to reach a remote token. */
export function findP11KitClientModule(): string | null {
  const triplet = MULTIARCH[arch()];
  const candidates = [
    ...(triplet ? [`/usr/lib/${triplet}/pkcs11/p11-kit-client.so`] : []),
    '/usr/lib/pkcs11/p11-kit-client.so',
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}
