/**
 * Who a principal may send a report to (SPEC §6, §11): their own address, or an address in one of
 * the allowed domains (`CUSTOM_MAIL_DOMAINS`). Tokens have no address, so only the domains.
 */
import type { Principal } from './principal.ts';

/** At most this many recipients per message. */
export const MAX_RECIPIENTS = 50;

/**
 * A plain `local@domain` address: no display names, quotes, comments or whitespace, so nothing
 * a caller sends can add a header or a second recipient.
 */
const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$/;

export type RecipientCheck =
  | { ok: true; recipients: string[] }
  | { ok: false; refused: string; reason: string };

/** Why `address` is refused for `principal`, or null when it is allowed. */
export function recipientProblem(
  principal: Pick<Principal, 'email'>,
  address: string,
  allowedDomains: readonly string[],
): string | null {
  const match = ADDRESS.exec(address);
  if (!match || address.length > 254) return 'is not a valid email address';
  const domain = match[1]?.toLowerCase() ?? '';
  if (principal.email !== null && principal.email.toLowerCase() === address.toLowerCase()) return null;
  if (allowedDomains.some((allowed) => allowed.toLowerCase() === domain)) return null;
  return allowedDomains.length > 0
    ? `is outside the allowed mail domains (${allowedDomains.join(', ')}) and is not your own address`
    : 'is not your own address, and no mail domains are allowed (CUSTOM_MAIL_DOMAINS)';
}

/** Checks a whole list (trimmed, duplicates dropped); the first refused address decides. */
export function checkRecipients(
  principal: Pick<Principal, 'email'>,
  addresses: readonly string[],
  allowedDomains: readonly string[],
): RecipientCheck {
  const recipients = [...new Set(addresses.map((address) => address.trim()).filter((a) => a.length > 0))];
  if (recipients.length === 0) return { ok: false, refused: '', reason: 'no recipient was given' };
  if (recipients.length > MAX_RECIPIENTS) {
    return { ok: false, refused: '', reason: `at most ${MAX_RECIPIENTS} recipients are allowed` };
  }
  for (const address of recipients) {
    const reason = recipientProblem(principal, address, allowedDomains);
    if (reason) return { ok: false, refused: address, reason };
  }
  return { ok: true, recipients };
}
