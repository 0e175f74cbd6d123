import type { Role } from '../../common/auth/roles';

export const USER_STATUSES = ['INVITED', 'ACTIVE', 'DEACTIVATED', 'REMOVED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  status: UserStatus;
  locale: 'zh-CN' | 'en';
  failedLogins: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithAccess extends User {
  roles: Role[];
  communityIds: string[];
  fundIds: string[];
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export type OneTimePurpose = 'INVITE' | 'PASSWORD_RESET' | 'DONOR_LOGIN' | 'ERASURE_CONFIRM';
