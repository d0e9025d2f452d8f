import { buildPlan } from './address-plan';
import { loadWorld, worldConfigSchema } from './config';
import { OPENWRT_FIRST_ROUTER_DEFAULT, openwrtRouterId } from './elements';

describe('which router is the OpenWrt-like one', () => {
  const plan = buildPlan(loadWorld('small'));

  it('is router A of the first testbed when the world asks for it', () => {
    expect(openwrtRouterId(plan, true)).toBe(plan.testbeds[0].A.wlan.id);
    expect(plan.testbeds[0].A.wlan.id).toBe('tb1-wa');
    expect(openwrtRouterId(plan, false)).toBeNull();
  });

  it('follows OPENWRT_FIRST_ROUTER_DEFAULT when the world config does not say', () => {
    expect(openwrtRouterId(plan, undefined)).toBe(OPENWRT_FIRST_ROUTER_DEFAULT ? 'tb1-wa' : null);
  });

  it('the world config key openwrtRouter is a boolean, absent in the shipped worlds', () => {
    const config = loadWorld('small').config;
    expect(config.openwrtRouter).toBeUndefined();
    expect(worldConfigSchema.parse({ ...config, openwrtRouter: true }).openwrtRouter).toBe(true);
    expect(worldConfigSchema.safeParse({ ...config, openwrtRouter: 'yes' }).success).toBe(false);
  });
});
