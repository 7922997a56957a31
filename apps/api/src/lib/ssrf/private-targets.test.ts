import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';

describe('OUTPOST_ALLOW_PRIVATE_TARGETS', () => {
  it('is off by default, and reads true, false or a list of networks', () => {
    expect(loadConfig({}).privateTargets).toEqual({ allow: 'none' });
    expect(loadConfig({ OUTPOST_ALLOW_PRIVATE_TARGETS: 'true' }).privateTargets).toEqual({ allow: 'all' });
    expect(loadConfig({ OUTPOST_ALLOW_PRIVATE_TARGETS: 'false' }).privateTargets).toEqual({ allow: 'none' });
    expect(
      loadConfig({ OUTPOST_ALLOW_PRIVATE_TARGETS: '10.0.0.0/8, fd00::/8,192.168.1.5' }).privateTargets,
    ).toEqual({
      allow: 'networks',
      networks: ['10.0.0.0/8', 'fd00::/8', '192.168.1.5'],
    });
  });

  it('names itself when an entry is not a network', () => {
    expect(() => loadConfig({ OUTPOST_ALLOW_PRIVATE_TARGETS: 'yes please' })).toThrow(
      /OUTPOST_ALLOW_PRIVATE_TARGETS/,
    );
    expect(() => loadConfig({ OUTPOST_ALLOW_PRIVATE_TARGETS: '10.0.0.0/33' })).toThrow(
      /not an IP address or CIDR/,
    );
  });
});
