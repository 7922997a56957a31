import { describe, expect, it } from 'vitest';
import { addressBytes, compilePolicy, parseRule, refusal } from './policy.ts';

const policy = (allow: string[], deny: string[] = [], allowCloudMetadata = false) =>
  compilePolicy({ allow, deny, allowCloudMetadata });

describe('the local policy', () => {
  const cases: [string, ReturnType<typeof policy>, string, number, string[], boolean][] = [
    // [what, policy, host, port, resolved addresses, allowed]
    ['an empty policy allows a private host', policy([]), 'db.internal', 5432, ['10.1.2.3'], true],
    [
      'the metadata address is denied by default',
      policy([]),
      '169.254.169.254',
      80,
      ['169.254.169.254'],
      false,
    ],
    [
      'so is a name resolving to it',
      policy([]),
      'innocent.example',
      80,
      ['10.0.0.1', '169.254.169.254'],
      false,
    ],
    [
      'so is its IPv4-mapped IPv6 form',
      policy([]),
      '::ffff:169.254.169.254',
      80,
      ['::ffff:169.254.169.254'],
      false,
    ],
    ['so is its hex IPv4-mapped form', policy([]), '::ffff:a9fe:a9fe', 80, ['::ffff:a9fe:a9fe'], false],
    ['so is AWS IPv6 metadata', policy([]), 'fd00:ec2::254', 80, ['fd00:ec2::254'], false],
    ['so is Alibaba metadata', policy([]), '100.100.100.200', 80, ['100.100.100.200'], false],
    ['so is the GCP metadata name', policy([]), 'metadata.google.internal', 80, ['10.9.9.9'], false],
    ['unless explicitly allowed', policy([], [], true), '169.254.169.254', 80, ['169.254.169.254'], true],
    ['a listed host is allowed', policy(['db.internal']), 'db.internal', 5432, ['10.1.2.3'], true],
    [
      'host names ignore case and a final dot',
      policy(['DB.internal']),
      'db.INTERNAL.',
      1,
      ['10.1.2.3'],
      true,
    ],
    ['an unlisted host is not', policy(['db.internal']), 'erp.internal', 443, ['10.1.2.4'], false],
    ['a wildcard allows subdomains', policy(['*.corp.example']), 'a.b.corp.example', 443, ['10.0.0.9'], true],
    ['but not the apex', policy(['*.corp.example']), 'corp.example', 443, ['10.0.0.9'], false],
    ['nor a look-alike', policy(['*.corp.example']), 'evilcorp.example', 443, ['10.0.0.9'], false],
    ['a CIDR allows a name resolving inside it', policy(['10.0.0.0/8']), 'erp', 443, ['10.20.30.40'], true],
    [
      'only when every address is inside',
      policy(['10.0.0.0/8']),
      'erp',
      443,
      ['10.2.3.4', '192.168.1.1'],
      false,
    ],
    ['an IPv6 CIDR', policy(['fd00::/8']), 'fd12:3456::1', 443, ['fd12:3456::1'], true],
    ['an IPv6 CIDR outside', policy(['fd00::/8']), 'fe80::1', 443, ['fe80::1'], false],
    ['an IPv4 CIDR covers the mapped IPv6 form', policy(['10.0.0.0/8']), 'x', 1, ['::ffff:10.1.1.1'], true],
    ['a host with a port', policy(['db.internal:5432']), 'db.internal', 5432, ['10.1.2.3'], true],
    ['…not on another port', policy(['db.internal:5432']), 'db.internal', 22, ['10.1.2.3'], false],
    ['a CIDR with a port', policy(['10.0.0.0/8:443']), '10.9.9.9', 443, ['10.9.9.9'], true],
    ['…not on another port', policy(['10.0.0.0/8:443']), '10.9.9.9', 80, ['10.9.9.9'], false],
    ['a bracketed IPv6 CIDR with a port', policy(['[fd00::/8]:443']), 'fd00::1', 443, ['fd00::1'], true],
    ['any host on a port', policy(['*:443']), 'anything.example', 443, ['203.0.113.9'], true],
    ['deny wins over allow', policy(['10.0.0.0/8'], ['10.0.0.5']), '10.0.0.5', 80, ['10.0.0.5'], false],
    ['deny a host', policy([], ['secrets.internal']), 'secrets.internal', 443, ['10.1.1.1'], false],
    ['deny a CIDR hit by DNS', policy([], ['192.168.0.0/16']), 'printer', 80, ['192.168.4.4'], false],
    ['deny a port only', policy([], ['*:22']), 'db.internal', 22, ['10.1.1.1'], false],
    ['…other ports pass', policy([], ['*:22']), 'db.internal', 5432, ['10.1.1.1'], true],
    ['deny a wildcard', policy([], ['*.prod.example']), 'db.prod.example', 5432, ['10.1.1.1'], false],
    ['deny a /0', policy([], ['0.0.0.0/0']), 'x', 1, ['8.8.8.8'], false],
  ];
  it.each(cases)('%s', (_what, compiled, host, port, addresses, allowed) => {
    const reason = refusal(compiled, { host, port }, addresses);
    if (allowed) expect(reason).toBeNull();
    else expect(reason).toEqual(expect.any(String));
  });

  it('says why, naming the target and the entry', () => {
    expect(refusal(policy([], ['10.0.0.0/8']), { host: 'erp', port: 443 }, ['10.1.1.1'])).toBe(
      'erp:443 (10.1.1.1) matches the deny entry "10.0.0.0/8"',
    );
    expect(refusal(policy([]), { host: '169.254.169.254', port: 80 }, ['169.254.169.254'])).toBe(
      '169.254.169.254:80 is a cloud metadata address',
    );
    expect(refusal(policy(['db.internal']), { host: 'erp', port: 80 }, ['10.1.1.1'])).toBe(
      'erp:80 (10.1.1.1) is not in the allow list',
    );
  });

  it('refuses entries it cannot read', () => {
    for (const entry of [
      '10.0.0.0/33',
      'fd00::/129',
      'db.internal:0',
      'db.internal:70000',
      'a b',
      '*.',
      'http://x',
    ])
      expect(() => parseRule(entry), entry).toThrow();
  });

  it('reads IPv6 addresses in every spelling', () => {
    expect([...addressBytes('::1')]).toEqual([...new Uint8Array(15), 1]);
    expect([...addressBytes('::ffff:169.254.169.254')]).toEqual([169, 254, 169, 254]);
    expect([...addressBytes('fe80::1%eth0')].slice(0, 2)).toEqual([0xfe, 0x80]);
    expect([...addressBytes('1:2:3:4:5:6:7:8')]).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  });
});
