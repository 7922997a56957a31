import { z } from 'zod';
import { Role } from '../roles.ts';

export const License = z.enum(['LEGACY', 'MULTI_ENV']);
export type License = z.infer<typeof License>;

export const Email = z
  .email('Enter a valid e-mail address')
  .max(254)
  .transform((email) => email.toLowerCase());

/** OWASP ASVS: at least 12 characters, long passphrases allowed, no composition rules. */
export const Password = z
  .string()
  .min(12, 'Use at least 12 characters')
  .max(256, 'Use at most 256 characters');

export const SignupBody = z.object({
  email: Email,
  password: Password,
  accountName: z.string().trim().min(1, 'Account name is required').max(100),
  name: z.string().trim().max(100).optional(),
  license: License.default('MULTI_ENV'),
});
export type SignupBody = z.infer<typeof SignupBody>;

export const LoginBody = z.object({
  email: Email,
  password: z.string().min(1, 'Password is required').max(256),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const Environment = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
});
export type Environment = z.infer<typeof Environment>;

export const Me = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() }),
  account: z.object({ id: z.uuid(), name: z.string(), license: License }),
  role: Role,
  environments: z.array(Environment),
  /** Every account this user is a member of, for the account switcher. */
  accounts: z.array(z.object({ id: z.uuid(), name: z.string(), role: Role })),
});
export type Me = z.infer<typeof Me>;

export const SwitchAccountBody = z.object({ accountId: z.uuid() });
export type SwitchAccountBody = z.infer<typeof SwitchAccountBody>;
