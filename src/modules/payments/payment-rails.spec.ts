import type { PaymentRail, ProviderName } from './payment-events';
import type { PaymentAdapter } from './payment-provider';
import { PaymentRails } from './payment-rails';

const adapter = (name: ProviderName, rail: PaymentRail, extras: object = {}): PaymentAdapter =>
  ({ name, rail, recurring: rail === 'STRIPE', ...extras }) as unknown as PaymentAdapter;
const recurringExtras = {
  listSessionsSince: () => undefined,
  cancelSubscription: () => undefined,
  retrieveInvoicePayment: () => undefined,
};

describe('PaymentRails', () => {
  const sandbox = adapter('SANDBOX', 'STRIPE', recurringExtras);
  const alipay = adapter('ALIPAY', 'ALIPAY');

  it('finds adapters by rail and by provider name, in the default order', () => {
    const rails = new PaymentRails([sandbox, alipay]);
    expect(rails.enabled()).toEqual(['ALIPAY', 'STRIPE']);
    expect(rails.forRail('STRIPE')).toBe(sandbox);
    expect(rails.byName('SANDBOX')).toBe(sandbox);
    expect(rails.byName('ALIPAY')).toBe(alipay);
    expect(rails.has('STRIPE')).toBe(false);
    expect(rails.all()).toEqual([alipay, sandbox]);
    expect(rails.recurringByName('SANDBOX')).toBe(sandbox);
    expect(rails.recurringByName('ALIPAY')).toBeNull();
  });

  it('refuses a rail that is not enabled with a 400 naming the enabled ones', () => {
    const rails = new PaymentRails([sandbox]);
    let thrown: unknown;
    try {
      rails.forRail('WECHAT_PAY');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', details: { enabled: ['STRIPE'] } });
    expect((thrown as Error).message).toMatch(/wechat_pay is not enabled here; enabled: stripe/);
    expect(() => rails.byName('ALIPAY')).toThrow(/alipay is not enabled here/);
  });

  it('refuses two adapters for one rail', () => {
    expect(() => new PaymentRails([sandbox, adapter('STRIPE', 'STRIPE')])).toThrow(
      /two payment adapters registered for STRIPE/,
    );
  });
});
