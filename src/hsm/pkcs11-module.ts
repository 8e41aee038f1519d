import { Module } from 'graphene-pk11';
import { AppError } from '../errors.js';
import { CKF_OS_LOCKING_OK } from './pkcs11-codes.js';

/**
 * One load and one C_Initialize per module file per process. PKCS#11 libraries keep global state;
 * a second C_Initialize or a C_Finalize under a live session breaks everyone else using it.
 *
 * CKF_OS_LOCKING_OK matters: pkcs11js runs async calls on libuv worker threads, and SoftHSM
 * initialised without it crashes (SIGSEGV) under concurrent signing.
 */
const loaded = new Map<string, Module>();

export function loadPkcs11Module(path: string): Module {
  const existing = loaded.get(path);
  if (existing) return existing;
  let mod: Module;
  try {
    mod = Module.load(path, path);
  } catch (e) {
    throw new AppError('HSM_UNAVAILABLE', `cannot load the PKCS#11 module ${path}`, { module: path }, { cause: e });
  }
  try {
    mod.initialize({ flags: CKF_OS_LOCKING_OK });
  } catch (e) {
    throw new AppError('HSM_UNAVAILABLE', `C_Initialize failed for ${path}`, { module: path }, { cause: e });
  }
  loaded.set(path, mod);
  return mod;
}

const owners = new Map<string, Set<object>>();

/** Declare a long-lived user of a module (a token adapter), so re-initialisation can be refused. */
export function retainPkcs11Module(path: string, owner: object): void {
  let set = owners.get(path);
  if (!set) owners.set(path, (set = new Set()));
  set.add(owner);
}

export function releasePkcs11Module(path: string, owner: object): void {
  owners.get(path)?.delete(owner);
}

export function isPkcs11ModuleLoaded(path: string): boolean {
  return loaded.has(path);
}

/**
 * C_Finalize + C_Initialize on the same load, for reconnecting after the device went away: some
 * modules (p11-kit's RPC client, several USB token drivers) only reconnect to the device inside
 * C_Initialize. Only call this when no operation of ours is in flight on the module.
 */
export function reinitializePkcs11Module(path: string, owner: object): Module {
  const mod = loaded.get(path);
  if (!mod) return loadPkcs11Module(path);
  // C_Finalize would close every other user's sessions too (two offices on one SoftHSM in the
  // demo): only the sole user of a module may re-initialise it.
  const others = [...(owners.get(path) ?? [])].filter((o) => o !== owner);
  if (others.length > 0) return mod;
  try {
    mod.finalize();
  } catch {
    /* already finalised by the failure, or never initialised: either way start afresh */
  }
  try {
    mod.initialize({ flags: CKF_OS_LOCKING_OK });
  } catch (e) {
    throw new AppError('HSM_UNAVAILABLE', `C_Initialize failed for ${path}`, { module: path }, { cause: e });
  }
  return mod;
}
