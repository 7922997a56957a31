import { createHash, randomInt } from 'node:crypto';

/**
 * Outpost tokens: `<prefix>_<30 base62 random chars><6 base62 checksum chars>`.
 * 30 base62 characters carry 178 bits; the checksum (CRC-32 of the random part) lets a scanner
 * recognise a leaked token and lets the API reject a mistyped one without a database look-up.
 */
export const TOKEN_PREFIXES = { agent: 'opa', apiToken: 'opk' } as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const BODY = new RegExp(`^[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

export function generateToken(kind: TokenKind): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `${TOKEN_PREFIXES[kind]}_${random}${checksum(random)}`;
}

/** True when `token` has the kind's prefix, the right length and alphabet, and a valid checksum. */
export function isWellFormedToken(token: string, kind: TokenKind): boolean {
  const prefix = `${TOKEN_PREFIXES[kind]}_`;
  if (!token.startsWith(prefix)) return false;
  const body = token.slice(prefix.length);
  if (!BODY.test(body)) return false;
  return checksum(body.slice(0, RANDOM_LENGTH)) === body.slice(RANDOM_LENGTH);
}

/** SHA-256 hex digest: what is stored and looked up. */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The last four characters, shown next to a masked token. */
export function tokenLast4(token: string): string {
  return token.slice(-4);
}

function checksum(random: string): string {
  let value = crc32(random);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
