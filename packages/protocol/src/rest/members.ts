import { z } from 'zod';
import { Role } from '../roles.ts';
import { Email } from './accounts.ts';
import { listOf } from './common.ts';

export const Member = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
  role: Role,
  /** False until an invited person signs up with this e-mail. */
  active: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type Member = z.infer<typeof Member>;

export const MemberList = listOf(Member);
export type MemberList = z.infer<typeof MemberList>;

export const AddMemberBody = z.object({ email: Email, role: Role });
export type AddMemberBody = z.infer<typeof AddMemberBody>;

export const UpdateMemberBody = z.object({ role: Role });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;
