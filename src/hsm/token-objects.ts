import { ObjectClass, type Module, type Session, type Slot, type PrivateKey } from 'graphene-pk11';

/**
 * Lookups on a token, shared by the adapter and the dev-token tool. Slots are found by token
 * label because SoftHSM gives every token a random slot id; keys and certificates by label, or
 * by CKA_ID when configured (labels are not unique on real tokens).
 */
export function findSlotByTokenLabel(mod: Module, label: string): Slot | null {
  const slots = mod.getSlots(true);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    try {
      if (slot.getToken().label === label) return slot;
    } catch {
      // A slot whose token vanished between C_GetSlotList and C_GetTokenInfo: skip it.
    }
  }
  return null;
}

export interface ObjectSelector {
  label: string;
  /** Hex CKA_ID; when given it wins over the label. */
  id?: string | undefined;
}

function template(sel: ObjectSelector): { label?: string; id?: Buffer } {
  return sel.id ? { id: Buffer.from(sel.id, 'hex') } : { label: sel.label };
}

export function findPrivateKey(session: Session, sel: ObjectSelector): PrivateKey | null {
  const found = session.find({ class: ObjectClass.PRIVATE_KEY, ...template(sel) });
  return found.length > 0 ? found.items(0).toType<PrivateKey>() : null;
}

/** DER of the certificate object with the key's label/id, or null when the token has none. */
export function findCertificateDer(session: Session, sel: ObjectSelector): Uint8Array | null {
  const found = session.find({ class: ObjectClass.CERTIFICATE, ...template(sel) });
  if (found.length === 0) return null;
  const value = found.items(0).getAttribute('value') as Buffer;
  return new Uint8Array(value);
}

/** Every X.509 certificate on the token (the adapter picks the signer's chain from these). */
export function listCertificateDers(session: Session): Uint8Array[] {
  const found = session.find({ class: ObjectClass.CERTIFICATE });
  const out: Uint8Array[] = [];
  for (let i = 0; i < found.length; i++) out.push(new Uint8Array(found.items(i).getAttribute('value') as Buffer));
  return out;
}
