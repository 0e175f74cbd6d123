import { randomBytes } from 'node:crypto';

/**
 * Ids of the sandbox's objects, shaped like Stripe's (`cs_…`, `pi_…`, `evt_…`) with `sandbox`
 * in them, so a sandbox id is never mistaken for a real one in logs, the inbox or the ledger.
 */
export type SandboxIdPrefix = 'cs' | 'pi' | 'ch' | 'in' | 'sub' | 'cus' | 're' | 'evt';

export function sandboxId(prefix: SandboxIdPrefix): string {
  return `${prefix}_sandbox_${randomBytes(prefix === 'cs' ? 16 : 12).toString('hex')}`;
}

export const SANDBOX_SESSION_ID = /^cs_sandbox_[0-9a-f]{32}$/;
