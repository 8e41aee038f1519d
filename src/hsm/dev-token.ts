import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdir, writeFile, chmod, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CertificateType, KeyGenMechanism, ObjectClass, SessionFlag, TokenFlag, UserType, type Module, type Session,
} from 'graphene-pk11';
import type { Mechanism } from '../config/schema.js';
import { AppError } from '../errors.js';
import { findSoftHsmModule } from './module-path.js';
import { isPkcs11ModuleLoaded, loadPkcs11Module } from './pkcs11-module.js';
import { findSlotByTokenLabel } from './token-objects.js';
import { createDevCa, issueOrgCertificate, vnName } from './dev-ca.js';

/**
 * `hsm init-dev`: a SoftHSM2 token for development, tests and the demo. The organisation key is
 * generated INSIDE the token (C_GenerateKeyPair) and never exported; a software dev CA issues its
 * certificate, which is stored on the token (same label and CKA_ID as the key) and as PEM.
 *
 * SoftHSM reads SOFTHSM2_CONF once, at C_Initialize, and never rescans its token directory, so
 * the token is created in-process through the same module load the adapter uses. Consequence:
 * within one process every dev token lives under the first softhsm2.conf used (the result's
 * `softhsm2Conf` says which); certificates, PIN and CA files always go to DIR.
 */
export interface DevTokenOptions {
  dir: string;
  label?: string;
  keyLabel?: string;
  pinFile?: string;
  mechanism?: Mechanism;
  /** Add the token to this existing softhsm2.conf instead of writing DIR/softhsm2.conf. */
  softhsm2Conf?: string;
  module?: string;
  /** Organisation shown in the certificate subject. */
  organisation?: { cn: string; o: string; l: string };
}

export interface DevTokenResult {
  softhsm2Conf: string;
  module: string;
  tokenLabel: string;
  keyLabel: string;
  /** Hex CKA_ID shared by the key and its certificate. */
  keyId: string;
  mechanism: Mechanism;
  pinFile: string;
  caCert: string;
  /** A directory holding only the dev CA certificate, usable as `trust.anchors`. */
  trustDir: string;
  cert: string;
}

const P256_OID_DER = Buffer.from('06082a8648ce3d030107', 'hex');

export async function initDevToken(opts: DevTokenOptions): Promise<DevTokenResult> {
  const dir = resolve(opts.dir);
  const tokenLabel = opts.label ?? 'edoc-dev';
  const keyLabel = opts.keyLabel ?? 'org-sign';
  const mechanism = opts.mechanism ?? 'RSA-PKCS';
  const modulePath = opts.module ?? findSoftHsmModule();
  if (!modulePath) throw new AppError('HSM_UNAVAILABLE', 'SoftHSM2 is not installed (apt-get install softhsm2)');
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const softhsm2Conf = await chooseConf(opts.softhsm2Conf ? resolve(opts.softhsm2Conf) : join(dir, 'softhsm2.conf'), join(dir, 'tokens'), modulePath);
  const mod = loadPkcs11Module(modulePath);

  const pin = randomBytes(12).toString('base64url');
  const soPin = randomBytes(12).toString('base64url');
  const session = createToken(mod, tokenLabel, soPin, pin);
  const keyId = randomBytes(8);
  try {
    const spki = generateKey(session, mechanism, keyLabel, keyId);
    const ca = await createDevCa(mechanism === 'ECDSA' ? 'ec' : 'rsa');
    const org = opts.organisation ?? { cn: 'UBND xã Tiên Lương (dev)', o: 'UBND huyện Cẩm Khê', l: 'Phú Thọ' };
    const cert = await issueOrgCertificate({ ca, spki, subject: vnName(org.cn, org.o, org.l) });
    storeCertificate(session, keyLabel, keyId, new Uint8Array(cert.rawData), cert.subjectName.toArrayBuffer(), cert.issuerName.toArrayBuffer(), cert.serialNumber);
    storeCertificate(session, `${keyLabel}-ca`, randomBytes(8), new Uint8Array(ca.cert.rawData), ca.cert.subjectName.toArrayBuffer(), ca.cert.issuerName.toArrayBuffer(), ca.cert.serialNumber);

    const trustDir = join(dir, 'trust');
    await mkdir(trustDir, { recursive: true });
    const caCert = join(trustDir, `${tokenLabel}-ca.pem`);
    const certPath = join(dir, `${tokenLabel}-cert.pem`);
    const caKeyPath = join(dir, `${tokenLabel}-ca-key.pem`);
    const pinFile = resolve(opts.pinFile ?? join(dir, `${tokenLabel}.pin`));
    await writeFile(caCert, ca.cert.toString('pem') + '\n');
    await writeFile(certPath, cert.toString('pem') + '\n');
    await writeSecret(caKeyPath, pemBlock('PRIVATE KEY', ca.privateKeyPkcs8));
    await writeSecret(pinFile, `${pin}\n`);
    return { softhsm2Conf, module: modulePath, tokenLabel, keyLabel, keyId: keyId.toString('hex'), mechanism, pinFile, caCert, trustDir, cert: certPath };
  } finally {
    try {
      session.logout();
    } catch {
      /* the session is closed next anyway */
    }
    session.close();
  }
}

async function writeSoftHsmConf(path: string, tokenDir: string): Promise<void> {
  await mkdir(tokenDir, { recursive: true, mode: 0o700 });
  await writeFile(path, `# written by edoc-gateway hsm init-dev\ndirectories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
}

/**
 * The softhsm2.conf the new token goes under. If SoftHSM is not yet initialised in this process,
 * the wanted one (written if missing) and SOFTHSM2_CONF is pointed at it. If it already is, the
 * conf it was initialised with: SoftHSM would not see a token created anywhere else.
 */
async function chooseConf(wanted: string, tokenDir: string, modulePath: string): Promise<string> {
  const current = process.env['SOFTHSM2_CONF'];
  if (isPkcs11ModuleLoaded(modulePath) && current !== undefined) return resolve(current);
  if (!existsSync(wanted)) await writeSoftHsmConf(wanted, tokenDir);
  process.env['SOFTHSM2_CONF'] = wanted;
  return wanted;
}

function createToken(mod: Module, label: string, soPin: string, pin: string): Session {
  if (findSlotByTokenLabel(mod, label)) throw new AppError('CONFLICT', `a token labelled "${label}" already exists`);
  const slots = mod.getSlots(true);
  let free = null;
  for (let i = 0; i < slots.length && !free; i++) {
    const s = slots.items(i);
    if ((s.getToken().flags & TokenFlag.TOKEN_INITIALIZED) === 0) free = s;
  }
  if (!free) throw new AppError('HSM_UNAVAILABLE', 'SoftHSM offers no free slot');
  // graphene's Slot.initToken trips over pkcs11js returning no label: call C_InitToken directly.
  free.lib.C_InitToken(free.handle, soPin, label);
  // SoftHSM moves an initialised token to a new random slot id: look it up again by label.
  const slot = findSlotByTokenLabel(mod, label);
  if (!slot) throw new AppError('INTERNAL', 'the new token did not appear');
  const session = slot.open(SessionFlag.SERIAL_SESSION | SessionFlag.RW_SESSION);
  session.login(soPin, UserType.SO);
  session.initPin(pin);
  session.logout();
  session.login(pin, UserType.USER);
  return session;
}

/** Generates the key pair on the token and returns its public key as DER SubjectPublicKeyInfo. */
function generateKey(session: Session, mechanism: Mechanism, label: string, id: Buffer): Uint8Array {
  const common = { token: true, label, id };
  const priv = { ...common, sign: true, sensitive: true, extractable: false };
  if (mechanism === 'ECDSA') {
    const keys = session.generateKeyPair(KeyGenMechanism.EC, { ...common, verify: true, paramsEC: P256_OID_DER }, priv);
    const point = keys.publicKey.getAttribute('pointEC') as Buffer;
    // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point 04‖x‖y.
    const raw = point[0] === 0x04 && point.length === 67 && point[2] === 0x04 ? point.subarray(2) : point;
    const x = raw.subarray(1, 33).toString('base64url');
    const y = raw.subarray(33, 65).toString('base64url');
    return exportSpki({ kty: 'EC', crv: 'P-256', x, y });
  }
  const keys = session.generateKeyPair(
    KeyGenMechanism.RSA,
    { ...common, verify: true, modulusBits: 2048, publicExponent: Buffer.from([1, 0, 1]) },
    priv,
  );
  const n = (keys.publicKey.getAttribute('modulus') as Buffer).toString('base64url');
  const e = (keys.publicKey.getAttribute('publicExponent') as Buffer).toString('base64url');
  return exportSpki({ kty: 'RSA', n, e });
}

function exportSpki(jwk: Record<string, string>): Uint8Array {
  return new Uint8Array(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }));
}

function storeCertificate(session: Session, label: string, id: Buffer, der: Uint8Array, subject: ArrayBuffer, issuer: ArrayBuffer, serialHex: string): void {
  session.create({
    class: ObjectClass.CERTIFICATE,
    certType: CertificateType.X_509,
    token: true,
    private: false,
    label,
    id,
    subject: Buffer.from(subject),
    issuer: Buffer.from(issuer),
    serial: derInteger(serialHex),
    value: Buffer.from(der),
  });
}

/** CKA_SERIAL_NUMBER is the DER INTEGER, not just its content octets. */
function derInteger(hex: string): Buffer {
  let body = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function pemBlock(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600); // an existing file keeps its old mode through writeFile
}

/** Read a dev token's PEM certificate back as DER (tests and the demo). */
export async function readPemCertificate(path: string): Promise<Uint8Array> {
  const text = await readFile(path, 'utf8');
  const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}
